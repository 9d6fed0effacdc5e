#!/bin/sh
# help2man include for steer-authd(1): its admin commands (from `admin --help`), then the
# static sections. Usage: authd-admin-h2m.sh STEER_AUTHD STATIC_H2M OUT
set -e
{
  printf '[ADMIN COMMANDS]\n.nf\n'
  "$1" admin --help
  printf '.fi\n\n'
  cat "$2"
} >"$3"
