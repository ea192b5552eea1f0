import { api } from "./client.js";

export type OrderKind = "disconnect_nonpay" | "reconnect";
export type OrderStatus = "open" | "completed" | "cancelled";

export const ORDER_KIND_WORDS: Record<OrderKind, string> = {
  disconnect_nonpay: "Disconnect for non-payment",
  reconnect: "Reconnect",
};

/** A service order as GET /service-orders answers it. */
export interface FieldOrder {
  id: number;
  account_id: number;
  account_number: string;
  premise_id: number | null;
  service_address: string | null;
  kind: OrderKind;
  status: OrderStatus;
  priority: string;
  reason: string;
  source: string;
  opened_on: string;
  due_on: string;
  completed_on: string | null;
  completion_read: string | null;
  notes: string;
  closed_by: string | null;
  cancel_reason: string | null;
  version: number;
}

export const ORDERS_KEY = ["service-orders"] as const;

/** The field worklist: open orders by due date, or completed or cancelled ones newest first. */
export const fetchOrders = (filter: { status: OrderStatus; kind: OrderKind | null }, signal?: AbortSignal) =>
  api.get<{ orders: FieldOrder[] }>("/api/v1/service-orders", {
    signal,
    query: { status: filter.status, kind: filter.kind ?? undefined, limit: 200 },
  });

export interface CompleteOrderRequest {
  version: number;
  completed_on?: string;
  read?: string;
  notes?: string;
}

/** Completes an open order from the field; a stale version is refused (409). */
export const completeOrder = (orderId: number, body: CompleteOrderRequest) =>
  api.post<FieldOrder>(`/api/v1/service-orders/${orderId}/complete`, body);
