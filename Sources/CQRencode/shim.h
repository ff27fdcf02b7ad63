// libqrencode (Debian libqrencode-dev) draws the QR code of a TOTP enrolment (issue 14).
#include <qrencode.h>
