/**
 * Every command `portcullis` knows. To add one, write it in its own file as a `Command` and
 * list it here; names may have several words (`keys list`).
 */
import { auditSearch, auditTail, auditVerify } from './audit.ts';
import { clientsAdd, clientsDelete, clientsList, clientsRotateSecret, clientsShow, clientsUpdate } from './clients.ts';
import { dbIndexes } from './db-indexes.ts';
import { hashPassword } from './hash-password.ts';
import { keysList, keysRevoke, keysRotate } from './keys.ts';
import { lockoutCommands } from './lockout.ts';
import { login, logout } from './login.ts';
import { resourcesAdd, resourcesDelete, resourcesList, resourcesShow, resourcesUpdate } from './resources.ts';
import { rolesAdd, rolesDelete, rolesList, rolesShow, rolesUpdate } from './roles.ts';
import type { CommandTable } from './run.ts';
import { usersList, usersSessions, usersShow } from './users.ts';
import {
  usersAdd,
  usersDelete,
  usersDisable,
  usersEnable,
  usersEndSessions,
  usersResetMfa,
  usersSetPassword,
  usersUnlock,
  usersUpdate,
} from './users-write.ts';

export const COMMANDS: CommandTable = {
  login,
  logout,
  'users add': usersAdd,
  'users list': usersList,
  'users show': usersShow,
  'users update': usersUpdate,
  'users disable': usersDisable,
  'users enable': usersEnable,
  'users delete': usersDelete,
  'users set-password': usersSetPassword,
  'users reset-mfa': usersResetMfa,
  'users sessions': usersSessions,
  'users end-sessions': usersEndSessions,
  'users unlock': usersUnlock,
  'clients add': clientsAdd,
  'clients list': clientsList,
  'clients show': clientsShow,
  'clients update': clientsUpdate,
  'clients rotate-secret': clientsRotateSecret,
  'clients delete': clientsDelete,
  'roles list': rolesList,
  'roles show': rolesShow,
  'roles add': rolesAdd,
  'roles update': rolesUpdate,
  'roles delete': rolesDelete,
  'resources list': resourcesList,
  'resources show': resourcesShow,
  'resources add': resourcesAdd,
  'resources update': resourcesUpdate,
  'resources delete': resourcesDelete,
  'keys list': keysList,
  'keys rotate': keysRotate,
  'keys revoke': keysRevoke,
  ...lockoutCommands,
  'audit search': auditSearch,
  'audit tail': auditTail,
  'audit verify': auditVerify,
  'hash-password': hashPassword,
  'db:indexes': dbIndexes,
};
