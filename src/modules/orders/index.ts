export { ordersRoutes } from "./routes.js";
export { serviceOrders } from "./schema.js";
export {
  cancelOrders,
  completeOrder,
  getOrder,
  listOrders,
  ORDER_KINDS,
  type OrderKind,
  type OrderToOpen,
  type OrderView,
  openOrders,
} from "./service.js";
