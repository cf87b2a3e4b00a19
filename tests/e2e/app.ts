// The app launcher the end-to-end tests share with the bench (scripts/launch-app.js).
export { freePort, isPlatform, startApp, type RunningApp } from '../../scripts/launch-app.js';
