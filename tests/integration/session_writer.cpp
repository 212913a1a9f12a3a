// Session writes as the web server makes them, for the crash test (write_crash_test.cpp):
//   session_writer DB sign-in NAME PASSWORD   prints the session token, or "refused"
//   session_writer DB sign-out TOKEN
// Exits 0 when the call did what it should (a wrong password is refused and counted), 1 on
// any other failure.
#include <cstdio>
#include <string>

#include "auth/auth.h"
#include "store/store.h"

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  auto store = rapporteur::store::open_sqlite_store(argv[1]);
  if (!store) return 1;
  rapporteur::auth::Auth auth(**store);
  const std::string action = argv[2];
  if (action == "sign-in" && argc == 5) {
    const auto signed_in = auth.sign_in(argv[3], argv[4]);
    if (signed_in) {
      std::fputs(signed_in->token.c_str(), stdout);
      return 0;
    }
    if (signed_in.error().code == rapporteur::ErrorCode::kPermissionDenied) {
      std::fputs("refused", stdout);
      return 0;
    }
    return 1;
  }
  if (action == "sign-out") return auth.sign_out(argv[3]) ? 0 : 1;
  return 2;
}
