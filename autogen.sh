#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerates the autotools files from configure.ac and the Makefile.am files.
set -e
cd "$(dirname "$0")"
mkdir -p config
autoreconf --install --force
# automake does not install the TAP driver by itself.
cp -f "$(automake --print-libdir)/tap-driver.sh" config/tap-driver.sh
