// Who may see and change a Worker: the operator any, a customer its own. Every service that acts on a
// Worker (workers, hostnames, versions) asks here.
import type { Principal } from '../principal';
import type { StoredWorker } from '../registry';

export function mayAccess(caller: Principal, record: Pick<StoredWorker, 'customerId'>): boolean {
	if (caller.kind === 'operator') return true;
	return caller.kind === 'customer' && (record.customerId ?? null) === caller.customerId;
}
