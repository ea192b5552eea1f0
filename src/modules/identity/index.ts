export { PERMISSIONS, type Permission, permissionsOf, ROLE_NAMES, ROLES } from "./permissions.js";
export { identityRoutes, makeAuthenticate, SESSION_COOKIE } from "./routes.js";
export { users } from "./schema.js";
export {
  createToken,
  createUser,
  hashPassword,
  listUsers,
  type NewUser,
  type UserView,
  updateUser,
} from "./service.js";
