import { Title } from "@mantine/core";
import { type ReactNode, useEffect } from "react";

/**
 * A page's main heading, also the browser tab's title. Focus lands here when the page opens (unless the page
 * marks another element with data-page-focus), so a screen reader announces where the person arrived.
 */
export function PageTitle({ children, title }: { children: ReactNode; title?: string }) {
  const text = title ?? (typeof children === "string" ? children : "");
  useEffect(() => {
    document.title = text ? `${text} · Kilowatt` : "Kilowatt";
  }, [text]);
  return (
    <Title order={1} size="h2" tabIndex={-1} className="page-title">
      {children}
    </Title>
  );
}
