import {
  type CSSVariablesResolver,
  createTheme,
  darken,
  defaultVariantColorsResolver,
  Modal,
  Notification,
  parseThemeColor,
  type VariantColorsResolver,
} from "@mantine/core";

/**
 * Mantine's "light" variant (alerts, badges) writes shade 6 or 7 on a pale tint of the same colour: below 4.5:1
 * for red, yellow, green and orange. The workstation darkens that text so every alert and badge meets WCAG AA.
 */
const variantColorResolver: VariantColorsResolver = (input) => {
  const base = defaultVariantColorsResolver(input);
  if (input.variant !== "light") return base;
  const parsed = parseThemeColor({ color: input.color ?? input.theme.primaryColor, theme: input.theme });
  const shades = parsed.isThemeColor ? input.theme.colors[parsed.color] : undefined;
  if (!shades) return base;
  const text = darken(shades[9], 0.3);
  return { ...base, color: text, hoverColor: text };
};

/** The workstation's look: quiet, legible, dense enough for a full day of calls. */
export const theme = createTheme({
  // indigo.7 keeps white button text above 4.5:1 contrast
  primaryColor: "indigo",
  primaryShade: 7,
  defaultRadius: "sm",
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  variantColorResolver,
  components: {
    // Mantine's close buttons are icons without a name; screen readers need one.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { "aria-label": "Close" } } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { "aria-label": "Dismiss" } },
      styles: { description: { color: "var(--mantine-color-gray-7)" } },
    }),
  },
});

/**
 * Mantine's "dimmed" grey (used by input descriptions and secondary text) is below 4.5:1 on white; the workstation
 * uses a darker grey so secondary text meets WCAG AA.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  // Field errors too: red.6 is 3.3:1 on white, red.9 is 5.4:1.
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
  },
  dark: {},
});
