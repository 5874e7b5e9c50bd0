export { AuthScreen } from "./AuthScreen";
