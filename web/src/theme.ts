import { createTheme } from "@mantine/core";

/** The workstation's look: quiet, legible, dense enough for a full day of calls. */
export const theme = createTheme({
  // indigo.7 keeps white button text above 4.5:1 contrast
  primaryColor: "indigo",
  primaryShade: 7,
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
});
