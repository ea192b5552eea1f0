export { CONTACT_CHANNELS, CONTACT_OUTCOMES, CONTACT_REASONS, type ContactInput, contactInput } from "./inputs.js";
export { contactsRoutes } from "./routes.js";
export { contacts } from "./schema.js";
export { type ContactView, listContacts, logContact, recentContacts } from "./service.js";
