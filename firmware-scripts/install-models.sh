#!/usr/bin/env bash
# Installs MedEdge models from the catalog into $MEDEDGE_HOME/models/<name>/<version>/.
#
#   install-models.sh [--mirror DIR] [--only NAME]... [--all] [--allow-unverified]
#                     [--home DIR] [--catalog FILE] [--list]
#
# Each file comes from the mirror when one is given and holds it (CI and development:
# ../shared/models), else from the repository (demo models, "repo:" URLs), else from its URL.
# Every file is checked against its pinned sha256; a mismatch is refused. A model is assembled
# in a staging directory and moved into place only when complete, so nothing half-installed
# remains. Running it again is a no-op for models already installed and intact.
# Exit status: 0 when every requested model is installed, 1 when any could not be, 2 on usage.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/.." && pwd)
catalog="$script_dir/models/catalog.yaml"
home="${MEDEDGE_HOME:-./var}"
mirror=""
allow_unverified=false
install_all=false
list_only=false
only=()

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die_usage() {
  echo "install-models: $1" >&2
  usage >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --mirror) [ $# -ge 2 ] || die_usage "--mirror needs a directory"; mirror="$2"; shift 2 ;;
    --only) [ $# -ge 2 ] || die_usage "--only needs a model name"; only+=("$2"); shift 2 ;;
    --all) install_all=true; shift ;;
    --allow-unverified) allow_unverified=true; shift ;;
    --home) [ $# -ge 2 ] || die_usage "--home needs a directory"; home="$2"; shift 2 ;;
    --catalog) [ $# -ge 2 ] || die_usage "--catalog needs a file"; catalog="$2"; shift 2 ;;
    --list) list_only=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done

[ -f "$catalog" ] || { echo "install-models: catalog not found: $catalog" >&2; exit 2; }
if [ -n "$mirror" ] && [ ! -d "$mirror" ]; then
  echo "install-models: mirror directory not found: $mirror (give an existing directory, or omit --mirror to download)" >&2
  exit 2
fi

# The catalog as records separated by the ASCII unit separator (\037), which, unlike a tab,
# keeps empty fields when bash reads them:
#   M name version role engine tier default licence source manifest description
#   F name path sha256 url mirror
parse_catalog() {
  awk -v US=$'\037' '
    function val(line) { sub(/^[^:]*:[ ]*/, "", line); gsub(/^"|"$/, "", line); gsub(US, " ", line); return line }
    function key(line) { sub(/^[ -]*/, "", line); sub(/:.*/, "", line); return line }
    function flush_file() {
      if (fpath != "") print "F" US m["name"] US fpath US f["sha256"] US f["url"] US f["mirror"]
      fpath = ""; delete f
    }
    function flush_model() {
      flush_file()
      if (m["name"] != "") print "M" US m["name"] US m["version"] US m["role"] US m["engine"] US m["tier"] US m["default"] US m["licence"] US m["source"] US m["manifest"] US m["description"]
      delete m
    }
    /^[ ]*#/ || /^[ ]*$/ { next }
    /^  - name:/ { flush_model(); m["name"] = val($0); next }
    /^      - path:/ { flush_file(); fpath = val($0); next }
    /^        [a-z0-9_]+:/ { f[key($0)] = val($0); next }
    /^    files:/ { next }
    /^    [a-z0-9_]+:/ { if (fpath == "") m[key($0)] = val($0); next }
    END { flush_model() }
  ' "$catalog" | awk -F$'\037' '$1 == "F" { files[++nf] = $0; next } { print } END { for (i = 1; i <= nf; i++) print files[i] }'
}

records=$(parse_catalog)
if [ -z "$records" ]; then
  echo "install-models: no models found in $catalog" >&2
  exit 2
fi

if $list_only; then
  printf '%-30s %-8s %-8s %-11s %-7s %s\n' NAME VERSION ROLE TIER DEFAULT DESCRIPTION
  while IFS=$'\037' read -r kind name version role _engine tier dflt _lic _src _man desc; do
    [ "$kind" = M ] || continue
    printf '%-30s %-8s %-8s %-11s %-7s %s\n' "$name" "$version" "$role" "$tier" "$dflt" "$desc"
  done <<< "$records"
  exit 0
fi

# which models to install
selected=()
if [ ${#only[@]} -gt 0 ]; then
  for n in "${only[@]}"; do
    if ! grep -q "^M"$'\037'"$n"$'\037' <<< "$records"; then
      echo "install-models: '$n' is not in the catalog ($catalog); see --list" >&2
      exit 2
    fi
    selected+=("$n")
  done
else
  while IFS=$'\037' read -r kind name _v _r _e _t dflt _rest; do
    [ "$kind" = M ] || continue
    if $install_all || [ "$dflt" = true ]; then selected+=("$name"); fi
  done <<< "$records"
fi

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

yaml_str() { # a double-quoted YAML scalar
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

staging=""
cleanup() { if [ -n "$staging" ] && [ -d "$staging" ]; then rm -rf "$staging"; fi; }
trap cleanup EXIT INT TERM

# Is the model at $1 complete and matching model.yaml's checksums?
installed_ok() {
  local dir=$1 path sha
  [ -f "$dir/model.yaml" ] || return 1
  while IFS=$'\t' read -r path sha; do
    [ -f "$dir/$path" ] || return 1
    [ "$(sha256_of "$dir/$path")" = "$sha" ] || return 1
  done < <(awk '
      function emit() { if (p != "") print p "\t" s }
      /^  - path:/ { emit(); p = $3; gsub(/"/, "", p); s = "" }
      /^    sha256:/ { s = $2 }
      /^    observedSha256:/ { s = $2 }
      END { emit() }' "$dir/model.yaml")
}

# fetch FILE_PATH SHA256 URL MIRROR_PATH DEST -> prints where it came from; returns 1 with a reason on stderr
fetch() {
  local path=$1 url=$3 mirror_path=$4 dest=$5 rc
  if [ -n "$mirror" ] && [ -n "$mirror_path" ] && [ -f "$mirror/$mirror_path" ]; then
    cp "$mirror/$mirror_path" "$dest"
    echo "mirror $mirror/$mirror_path"
    return 0
  fi
  case "$url" in
    repo:*)
      local src="$repo_root/${url#repo:}"
      if [ -f "$src" ]; then cp "$src" "$dest"; echo "repository ${url#repo:}"; return 0; fi
      echo "$path: not found in the repository at ${url#repo:}" >&2
      return 1 ;;
    http://*|https://*)
      if ! command -v curl >/dev/null 2>&1; then
        echo "$path: not in the mirror and curl is not installed to download $url" >&2
        return 1
      fi
      rc=0
      curl --fail --silent --show-error --location --connect-timeout 10 --max-time 3600 \
           --retry 2 --output "$dest" "$url" 2>"$dest.err" || rc=$?
      if [ "$rc" -ne 0 ]; then
        local why
        why=$(tail -n 1 "$dest.err")
        rm -f "$dest" "$dest.err"
        local where="no mirror given"
        [ -n "$mirror" ] && where="not in mirror $mirror"
        echo "$path: $where, and downloading $url failed (curl exit $rc: $why); this machine may be offline: give --mirror DIR holding ${mirror_path:-the file}" >&2
        return 1
      fi
      rm -f "$dest.err"
      echo "download $url"
      return 0 ;;
    *)
      echo "$path: no source: not in the mirror and no URL in the catalog" >&2
      return 1 ;;
  esac
}

install_one() {
  local name=$1 version role engine tier _dflt licence source manifest description
  IFS=$'\037' read -r _ _ version role engine tier _dflt licence source manifest description \
    < <(grep "^M"$'\037'"$name"$'\037' <<< "$records")
  local target="$home/models/$name/$version"
  # what the catalog declares for this model: a change (e.g. an edited manifest) rewrites model.yaml
  local declaration
  declaration=$({ grep "^[MF]"$'\037'"$name"$'\037' <<< "$records"
                  if [ -n "$manifest" ] && [ -f "$script_dir/models/$manifest" ]; then cat "$script_dir/models/$manifest"; fi
                } | sha256sum | cut -d' ' -f1)
  if installed_ok "$target"; then
    if grep -qx "declaration: $declaration" "$target/model.yaml"; then
      echo "  $name $version: already installed and intact"
      return 0
    fi
    echo "  $name $version: files intact but the catalog's declaration changed: reinstalling"
  fi
  mkdir -p "$home/models"
  staging=$(mktemp -d "$home/models/.staging-$name-XXXXXX")
  local files_yaml="" path sha url mpath origin actual verified size
  while IFS=$'\037' read -r _ _ path sha url mpath; do
    mkdir -p "$(dirname "$staging/$path")"
    if ! origin=$(fetch "$path" "$sha" "$url" "$mpath" "$staging/$path" 2>"$staging/.why"); then
      echo "  $name $version: NOT installed: $(cat "$staging/.why")" >&2
      return 1
    fi
    rm -f "$staging/.why"
    actual=$(sha256_of "$staging/$path")
    if [ "$sha" = unknown ] || [ -z "$sha" ]; then
      if ! $allow_unverified; then
        echo "  $name $version: NOT installed: $path has no pinned sha256 in the catalog; refusing an unverified file (re-run with --allow-unverified to accept sha256 $actual from $origin)" >&2
        return 1
      fi
      verified=false
      echo "  $name $version: WARNING $path accepted unverified (sha256 $actual)" >&2
    elif [ "$actual" != "$sha" ]; then
      echo "  $name $version: NOT installed: $path from $origin has sha256 $actual but the catalog pins $sha; the file is corrupt or not the one the catalog names" >&2
      return 1
    else
      verified=true
    fi
    size=$(stat -c %s "$staging/$path")
    if $verified; then
      files_yaml+="  - path: $(yaml_str "$path")"$'\n'"    sha256: $actual"$'\n'"    size: $size"$'\n'
    else
      files_yaml+="  - path: $(yaml_str "$path")"$'\n'"    sha256: unknown"$'\n'"    observedSha256: $actual"$'\n'"    size: $size"$'\n'
    fi
    files_yaml+="    origin: $(yaml_str "$origin")"$'\n'
  done < <(grep "^F"$'\037'"$name"$'\037' <<< "$records")
  {
    echo "# Written by firmware-scripts/install-models.sh from models/catalog.yaml. Do not edit:"
    echo "# the appliance refuses this model if its files do not match the sha256 values below."
    echo "name: $(yaml_str "$name")"
    echo "version: $(yaml_str "$version")"
    echo "role: $(yaml_str "$role")"
    echo "engine: $(yaml_str "$engine")"
    echo "tier: $(yaml_str "$tier")"
    echo "licence: $(yaml_str "$licence")"
    echo "source: $(yaml_str "$source")"
    echo "description: $(yaml_str "$description")"
    echo "installedAt: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "declaration: $declaration"
    echo "files:"
    printf '%s' "$files_yaml"
    if [ -n "$manifest" ]; then
      if [ ! -f "$script_dir/models/$manifest" ]; then
        echo "  $name $version: NOT installed: manifest $manifest is missing from firmware-scripts/models" >&2
        return 1
      fi
      echo "# --- declared in firmware-scripts/models/$manifest ---"
      cat "$script_dir/models/$manifest"
    fi
  } > "$staging/model.yaml"
  mkdir -p "$home/models/$name"
  rm -rf "$target"
  mv "$staging" "$target"
  staging=""
  echo "  $name $version: installed ($tier) in $target"
}

echo "Installing ${#selected[@]} model(s) into $home/models${mirror:+ (mirror: $mirror)}"
failed=()
for name in "${selected[@]}"; do
  if ! install_one "$name"; then
    failed+=("$name")
    cleanup
    staging=""
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "install-models: could not install: ${failed[*]} (reasons above); nothing partial was left behind" >&2
  exit 1
fi
echo "install-models: done"
