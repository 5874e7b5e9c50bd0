export { OidcLink } from "./OidcLink";
