export { ChatView } from "./ChatView";
