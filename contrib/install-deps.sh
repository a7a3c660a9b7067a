#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs everything Leviathan builds and tests with, from Debian 12 packages.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt_opts="-y -o DPkg::Lock::Timeout=600 --no-install-recommends"
apt-get update -o DPkg::Lock::Timeout=600
# shellcheck disable=SC2086
apt-get install $apt_opts \
	gcc make autoconf automake libtool pkg-config ca-certificates \
	munge libmunge-dev \
	libhwloc-dev hwloc \
	liblua5.4-dev lua5.4 \
	libpmix-dev libopenmpi-dev openmpi-bin \
	libevent-dev libjansson-dev libsqlite3-dev nettle-dev \
	libcmocka-dev \
	iproute2 procps psmisc util-linux \
	clang libclang-rt-14-dev
