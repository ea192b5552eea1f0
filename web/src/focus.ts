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
