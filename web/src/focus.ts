import { useLayoutEffect, useRef, useState } from "react";

/** Where focus goes when a page opens: the element marked data-page-focus, else the page's main heading. */
export function focusPage() {
  const main = document.getElementById("main");
  if (!main) return;
  const target = main.querySelector<HTMLElement>("[data-page-focus]") ?? main.querySelector<HTMLElement>("h1");
  if (!target) return main.focus();
  if (!target.matches("input, button, select, textarea, a[href]") && !target.hasAttribute("tabindex")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
}

let lastOutsideDialog: HTMLElement | null = null;

/** Remembers the last element focused outside any dialog, so closing one can put focus back there. */
export function trackFocus(): () => void {
  const onFocus = (event: FocusEvent) => {
    const el = event.target;
    if (el instanceof HTMLElement && !el.closest("[role=dialog]")) lastOutsideDialog = el;
  };
  document.addEventListener("focusin", onFocus);
  return () => document.removeEventListener("focusin", onFocus);
}

/** Puts focus back where it was before a dialog opened; if that element is gone, on the page. */
export function restoreFocus() {
  if (lastOutsideDialog?.isConnected) lastOutsideDialog.focus();
  else focusPage();
}

const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

/** True when a key press should not trigger a one-key shortcut: the person is typing, or a dialog is open. */
export function isTyping(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return true;
  const el = event.target;
  if (el instanceof HTMLElement) {
    if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
    if (el instanceof HTMLInputElement && !NOT_TEXT.has(el.type)) return true;
  }
  return document.querySelector("[role=dialog][aria-modal=true]") !== null;
}

/**
 * A line that says what an action just did and takes focus, so a screen reader reads it and the keyboard carries on
 * from there. Focus moves as the line is committed to the page (a layout effect), not on a timer: a timer can run
 * before a busy browser has rendered the line, and focus would fall to the page. Saying the same words twice still
 * moves focus.
 */
export function useNotice<T extends HTMLElement = HTMLParagraphElement>() {
  const [said, setSaid] = useState<{ text: string; n: number } | null>(null);
  const ref = useRef<T>(null);
  useLayoutEffect(() => {
    if (said) ref.current?.focus();
  }, [said]);
  return {
    notice: said?.text ?? null,
    ref,
    say: (text: string) => setSaid((prev) => ({ text, n: (prev?.n ?? 0) + 1 })),
  };
}
