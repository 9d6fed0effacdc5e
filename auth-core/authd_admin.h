#pragma once

// `steer-authd admin ...`: users, clients and keys. argv[0] is "admin".
// Passwords and client secrets are read from standard input, never from argv.

namespace steer::auth {

int RunAdmin(int argc, char** argv);

}  // namespace steer::auth
