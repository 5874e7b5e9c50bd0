/**
 * My account (`/api/me/*`): change my password, read my security log, delete my account,
 * link an external sign-in (OIDC) provider.
 */
export { AccountPage } from "./AccountPage";
export { OidcLink } from "./OidcLink";
