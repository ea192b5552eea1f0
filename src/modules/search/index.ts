export { searchRoutes } from "./routes.js";
export { type SearchResult, search } from "./service.js";
