/**
 * My account (`/api/me/*`): change my password, read my security log, delete my account.
 */
export { AccountPage } from "./AccountPage";
