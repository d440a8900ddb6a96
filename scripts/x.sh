# The project's commands, called through ./x. See `./x help`.
set -euo pipefail

ROOT=$(pwd)
# rustup's toolchain, where it is installed but not on PATH.
if [ -d "${HOME:-/nonexistent}/.cargo/bin" ]; then PATH="$HOME/.cargo/bin:$PATH"; fi
WASM_TARGET_DIR="$ROOT/target/wasm"
COMPONENT="$WASM_TARGET_DIR/wasm32-unknown-unknown/release/aws_s3_component.wasm"
MOTO_VERSION=5.2.5
MOTO_VENV="$ROOT/target/moto-venv"
DEBIAN_WASM_PACKAGES="rustc-web cargo-web rust-web-src rust-web-llvm"
DEBIAN_LINKER=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/wasm-component-ld

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

can_apt() { [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
APT_UPDATED=
apt_install() {
  if [ -z "$APT_UPDATED" ]; then apt-get update -qq >&2; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The host toolchain: rustup's cargo when present, else Debian's (rustc-web, 1.96).
host_cargo() {
  if command -v cargo >/dev/null && cargo --version >/dev/null 2>&1; then
    cargo "$@"
  elif [ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ]; then
    RUSTC=/usr/bin/rustc /usr/bin/cargo "$@"
  else
    die "no Rust toolchain: install one from https://rustup.rs (1.95 or newer), or on Debian run: apt-get install $DEBIAN_WASM_PACKAGES"
  fi
}

# Decide how to build the wasm32 guest, installing Debian's packages if needed.
# Sets GUEST_MODE to "rustup" (a toolchain with the wasm32 std) or "debian"
# (rustc-web with -Z build-std).
ensure_wasm_toolchain() {
  if command -v rustc >/dev/null && [ -d "$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null || echo /nonexistent)" ] \
     && ls "$(rustc --print target-libdir --target wasm32-unknown-unknown)"/libstd-* >/dev/null 2>&1; then
    GUEST_MODE=rustup
    GUEST_LINKER="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/wasm-component-ld"
    [ -x "$GUEST_LINKER" ] || die "wasm-component-ld not found at $GUEST_LINKER: update the toolchain (rustup update stable)"
    return
  fi
  if ! debian_wasm_ready; then
    if can_apt; then
      say "Installing the wasm32 toolchain from Debian ($DEBIAN_WASM_PACKAGES)"
      apt_install ca-certificates $DEBIAN_WASM_PACKAGES
      # rust-web-llvm's rust-lld points at lld, which it does not depend on.
      apt_install "$(readlink /usr/bin/rust-lld)"
    else
      die "cannot build for wasm32-unknown-unknown. Either run: rustup target add wasm32-unknown-unknown
       or, on Debian bookworm as root: apt-get install $DEBIAN_WASM_PACKAGES && apt-get install \$(readlink /usr/bin/rust-lld)"
    fi
  fi
  GUEST_MODE=debian
  GUEST_LINKER=$DEBIAN_LINKER
}

debian_wasm_ready() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && [ -x "$DEBIAN_LINKER" ] \
    && dpkg -s rust-web-src >/dev/null 2>&1 && [ -e "$(readlink -f /usr/bin/rust-lld 2>/dev/null)" ]
}

build_guest() {
  ensure_wasm_toolchain
  say "Building the component (wasm32-unknown-unknown, $GUEST_MODE toolchain)"
  local linker_cfg="target.wasm32-unknown-unknown.linker=\"$GUEST_LINKER\""
  if [ "$GUEST_MODE" = debian ]; then
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked -p aws-s3-component \
      --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
      --target-dir "$WASM_TARGET_DIR" --config "$linker_cfg"
  else
    cargo build --release --locked -p aws-s3-component --target wasm32-unknown-unknown \
      --target-dir "$WASM_TARGET_DIR" --config "$linker_cfg"
  fi
  [ -f "$COMPONENT" ] || die "the build did not produce $COMPONENT"
}

# The whole workspace, so that `cargo test --workspace` reuses every artifact
# (building only -p s3-host would resolve features differently and rebuild).
build_host() {
  say "Building the host (s3-host)"
  host_cargo build --locked --workspace
}

# moto (PyPI) in a virtualenv under target/: S3 for the key shapes s3s-fs's
# file system cannot hold, and later SNS/STS.
ensure_moto() {
  if [ -x "$MOTO_VENV/bin/moto_server" ] && [ "$(cat "$MOTO_VENV/.version" 2>/dev/null)" = "$MOTO_VERSION" ]; then
    return
  fi
  say "Installing moto[server]==$MOTO_VERSION into $MOTO_VENV"
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    can_apt || die "python3 with venv is needed for the moto test server: install python3 and python3-venv"
    apt_install python3 python3-venv
  fi
  rm -rf "$MOTO_VENV"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install -q --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  echo "$MOTO_VERSION" > "$MOTO_VENV/.version"
}

cmd_build() { build_guest; build_host; }

cmd_demo() {
  build_guest
  build_host
  S3_HOST_COMPONENT="$COMPONENT" "$ROOT/target/debug/s3-host" demo
}

cmd_test() {
  if host_cargo fmt --version >/dev/null 2>&1; then
    say "Checking the format (cargo fmt --check)"
    host_cargo fmt --all --check || die "the code is not rustfmt-formatted: run cargo fmt --all"
  else
    say "NOT checking the format: this toolchain has no rustfmt (rustup component add rustfmt)"
  fi
  build_guest
  build_host  # the CLI suite runs target/debug/s3-host
  ensure_moto
  say "Running every test: unit tests (guest core, host) and the end-to-end suites"
  S3_HOST_COMPONENT="$COMPONENT" MOTO_SERVER="$MOTO_VENV/bin/moto_server" \
    host_cargo test --locked --workspace "$@"
  if host_cargo clippy --version >/dev/null 2>&1; then
    say "Linting (cargo clippy -D warnings)"
    host_cargo clippy --locked --workspace --all-targets -- -D warnings
  else
    say "NOT linting: this toolchain has no clippy (rustup component add clippy)"
  fi
}

# s3-host against curl on an embedded local S3; writes docs/benchmarks.md.
cmd_bench() {
  build_guest
  build_host
  if ! command -v curl >/dev/null; then
    can_apt || die "the benchmark compares against curl: install curl"
    apt_install curl
  fi
  say "Benchmarking s3-host against curl --aws-sigv4 (a few minutes)"
  S3_HOST_COMPONENT="$COMPONENT" "$ROOT/target/debug/bench" "$ROOT/target/debug/s3-host" "$ROOT/docs/benchmarks.md" "$@"
}

cmd_docs() {
  build_host
  "$ROOT/target/debug/s3-host" actions --markdown > "$ROOT/docs/actions.md"
  say "Wrote docs/actions.md"
}

cmd_help() {
  cat <<'USAGE'
usage: ./x COMMAND

  demo    build everything and run the demo against an embedded local S3
  test    check the format, build everything, run the whole test suite and
          clippy (installs the wasm toolchain and the moto test server when
          missing)
  build   build the component and the host
  bench   measure s3-host against curl on an embedded local S3 and write
          docs/benchmarks.md (--quick for a short run)
  docs    write docs/actions.md (every action's inputs and outputs) from the WIT
USAGE
}

case "${1:-help}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  build) shift; cmd_build "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  docs) shift; cmd_docs "$@" ;;
  help|-h|--help) cmd_help ;;
  *) cmd_help; exit 2 ;;
esac
