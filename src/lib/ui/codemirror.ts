// The CodeMirror 6 editor that replaces a <textarea> once JavaScript runs (loaded lazily, browser only).
// The textarea stays in the form, hidden and kept in sync, so the form submits the same way either way.
import { EditorState, Compartment, type Extension } from '@codemirror/state';
import {
	Decoration,
	EditorView,
	keymap,
	lineNumbers,
	highlightActiveLine,
	highlightActiveLineGutter,
	highlightSpecialChars,
	drawSelection
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentLess, insertTab } from '@codemirror/commands';
import {
	bracketMatching,
	defaultHighlightStyle,
	indentOnInput,
	indentUnit,
	syntaxHighlighting
} from '@codemirror/language';
import { closeBrackets } from '@codemirror/autocomplete';
import { javascript } from '@codemirror/lang-javascript';
import { oneDarkHighlightStyle } from '@codemirror/theme-one-dark';
import type { EditorLanguage } from './project-files';

const surface = EditorView.theme({
	'&': { backgroundColor: 'var(--surface)', color: 'var(--text)', fontSize: '0.9rem' },
	'.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
	'.cm-gutters': { backgroundColor: 'var(--surface-2)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
	'.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 7%, transparent)' },
	'.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 14%, transparent)' },
	'&.cm-focused': { outline: 'none' },
	'.cm-error-line': { backgroundColor: 'color-mix(in srgb, var(--danger) 16%, transparent)' },
	'.cm-cursor': { borderLeftColor: 'var(--text)' },
	'&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
		backgroundColor: 'color-mix(in srgb, var(--focus) 30%, transparent)'
	}
});

const darkQuery = () => window.matchMedia('(prefers-color-scheme: dark)');
const highlightFor = (dark: boolean): Extension => syntaxHighlighting(dark ? oneDarkHighlightStyle : defaultHighlightStyle);
const languageSupport = (language: EditorLanguage): Extension =>
	language === 'plain' ? [] : javascript({ typescript: language === 'typescript' });

export interface CodeEditor {
	setValue(code: string): void;
	/** Shows another file: its text and highlighting, with its own undo history. */
	openDocument(code: string, language: EditorLanguage): void;
	/** Marks the line an upload error points at (1-based), or clears the mark. */
	setErrorLine(line: number | null): void;
	destroy(): void;
}

const errorLineMark = Decoration.line({ class: 'cm-error-line' });

export function mountEditor(
	textarea: HTMLTextAreaElement,
	options: { readonly: boolean; language: EditorLanguage; onChange: (code: string) => void }
): CodeEditor {
	const highlight = new Compartment();
	const errorLine = new Compartment();
	const label = textarea.getAttribute('aria-labelledby');
	const describedBy = textarea.getAttribute('aria-describedby');
	const stateFor = (doc: string, language: EditorLanguage) =>
		EditorState.create({
			doc,
			extensions: [
				lineNumbers(),
				highlightSpecialChars(),
				drawSelection(),
				bracketMatching(),
				languageSupport(language),
				highlight.of(highlightFor(darkQuery().matches)),
				surface,
				errorLine.of([]),
				EditorState.tabSize.of(2),
				indentUnit.of('\t'),
				EditorView.contentAttributes.of({
					...(label ? { 'aria-labelledby': label } : {}),
					...(describedBy ? { 'aria-describedby': describedBy } : {})
				}),
				options.readonly
					? [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.contentAttributes.of({ tabindex: '0' })]
					: [
							highlightActiveLine(),
							highlightActiveLineGutter(),
							indentOnInput(),
							closeBrackets(),
							history(),
							// Tab inserts a tab (or indents a selection), Shift-Tab outdents; Escape then Tab still
							// leaves the editor (CodeMirror's tab focus mode), so keyboard users are not trapped.
							keymap.of([{ key: 'Tab', run: insertTab, shift: indentLess }, ...defaultKeymap, ...historyKeymap]),
							EditorView.updateListener.of((update) => {
								if (update.docChanged) options.onChange(update.state.doc.toString());
							})
						]
			]
		});
	const view = new EditorView({ state: stateFor(textarea.value, options.language) });
	textarea.parentElement!.insertBefore(view.dom, textarea.nextSibling);
	textarea.hidden = true;

	const query = darkQuery();
	const onScheme = (event: MediaQueryListEvent) =>
		view.dispatch({ effects: highlight.reconfigure(highlightFor(event.matches)) });
	query.addEventListener('change', onScheme);

	return {
		setValue(code) {
			if (code !== view.state.doc.toString())
				view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code } });
		},
		openDocument(code, language) {
			view.setState(stateFor(code, language));
		},
		setErrorLine(number) {
			if (number === null || number < 1 || number > view.state.doc.lines) {
				view.dispatch({ effects: errorLine.reconfigure([]) });
				return;
			}
			const line = view.state.doc.line(number);
			view.dispatch({
				effects: [
					errorLine.reconfigure(EditorView.decorations.of(Decoration.set([errorLineMark.range(line.from)]))),
					EditorView.scrollIntoView(line.from, { y: 'center' })
				]
			});
		},
		destroy() {
			query.removeEventListener('change', onScheme);
			view.destroy();
		}
	};
}
