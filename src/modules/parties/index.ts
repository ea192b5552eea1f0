export { addFlag, insertFlags, listFlags, updateFlag } from "./flags.js";
export {
  type FlagChange,
  type FlagInput,
  flagInput,
  idParam,
  isoDate,
  PARTY_FLAGS,
  type PartyChange,
  type PartyInput,
  type PostalAddress,
  partyInput,
  phoneNumber,
  postalAddress,
} from "./inputs.js";
export { partiesRoutes } from "./routes.js";
export { parties, partyFlags, partyPhones } from "./schema.js";
export {
  createParty,
  getParties,
  getParty,
  lockParty,
  requireParties,
  revealIdentity,
  updateParty,
} from "./service.js";
export { type AddressView, addressOf, type FlagView, type PartyView } from "./view.js";
