#!/usr/bin/env bash
# Package check: uses SharpShot the way a user installing it from NuGet would.
#
#  1. packs SharpShot, SharpShot.Onnx, SharpShot.Imaging, SharpShot.Inference, SharpShot.Serving and the tool (Toolkit.sln, Release) into a local folder feed,
#     with a version no other run has used (0.1.0-check.<UTC time>.<pid>), so that a SharpShot package left in
#     the global packages folder by an earlier run can never be picked up; checks the packages' layout;
#  2. in a temporary folder outside the repository (none of its Directory.Build.* / global.json apply), with a
#     nuget.config that adds the feed to the machine's usual sources (TorchSharp, ONNX Runtime come from there):
#     - App:            `dotnet new console` + `dotnet add package SharpShot` / `SharpShot.Inference` / the native
#                       `Microsoft.ML.OnnxRuntime` (as README says: the app picks CPU or CUDA), declares a model,
#                       builds (the generator runs from the package: no CS9057), trains a few steps with TorchSharp,
#                       exports ONNX and runs it with OnnxModel; ONNX Runtime must agree with TorchSharp (<= 1e-5);
#     - BadDeclaration: a Dense after a Conv2d without Flatten must fail the build with SS0002;
#     - Transitive:     an app that only references a library referencing SharpShot must still run TorchSharp
#                       (the libstdc++ fix comes through buildTransitive/);
#     - where the system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12, Ubuntu 22.04): the build output's copy of
#       libLibTorchSharp.so was fixed, and, as a control, the app fails to load TorchSharp with the unfixed copy
#       from the NuGet cache;
#  3. removes the temporary folder and the check's own version folders from the global packages folder
#     (nothing else there is touched; TorchSharp is not downloaded again).
#
# Usage: tests/PackageCheck/run.sh [--keep]     (--keep: leave the temporary folder for inspection)
# Prints PASS or FAIL per step, the time each took, and exits non-zero on any failure.
set -euo pipefail

keep=false
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$arg' (usage: $0 [--keep])" >&2; exit 2 ;;
  esac
done

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
command -v dotnet >/dev/null || { echo "error: the .NET SDK (10.0.100 or newer) is required" >&2; exit 1; }
command -v unzip >/dev/null || { echo "error: unzip is required (to read the packages)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sharpshot-package-check.XXXXXX")
case "$work/" in
  "$repo"/*) echo "error: the temporary folder $work is inside the repository; set TMPDIR elsewhere" >&2; exit 1 ;;
esac
# Nothing above the temporary folder may shape the build the way the repository's files would.
dir=$work
while [ "$dir" != "/" ]; do
  dir=$(dirname "$dir")
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json; do
    if [ -e "$dir/$f" ]; then echo "error: $dir/$f would apply to the check's projects; set TMPDIR elsewhere" >&2; exit 1; fi
  done
done

suffix="check.$(date -u +%Y%m%d%H%M%S).$$"
version=$(dotnet msbuild "$repo/runtime/SharpShot/SharpShot.csproj" -getProperty:Version -p:VersionSuffix="$suffix")
feed="$work/feed"
global_packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')
global_packages=${NUGET_PACKAGES:-${global_packages%/}}
ids=(SharpShot SharpShot.Onnx SharpShot.Imaging SharpShot.Inference SharpShot.Serving)
tool_id=SharpShot.Tool

cleanup() {
  # Only this run's own version folders: the version is unique to this run, so they cannot be anyone else's.
  for id in "${ids[@]}" "$tool_id"; do
    lower=$(echo "$id" | tr '[:upper:]' '[:lower:]')
    if [ -n "$global_packages" ] && [ -d "$global_packages/$lower/$version" ]; then
      rm -rf "${global_packages:?}/$lower/$version"
      rmdir "$global_packages/$lower" 2>/dev/null || true
    fi
  done
  if [ "$keep" = true ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=()
timings=()
step_start=0
begin() { echo; echo "== $1"; step_start=$SECONDS; }
end() { timings+=("$(printf '%4d s  %s' $((SECONDS - step_start)) "$1")"); }
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; failures+=("$1"); }
# Runs a command quietly into a log; prints the log's tail when it fails.
logged() {
  local log=$1; shift
  "$@" >"$log" 2>&1 && return 0
  local status=$?
  tail -n 40 "$log"
  return "$status"
}
# Build diagnostics that mean the analyzer did not run, or ran into trouble: any of them fails the check.
analyzer_trouble='(warning|error) (CS9057|CS8032|CS8033|CS8784|CS8785|AD0001)'

echo "SharpShot package check: version $version, working in $work"
dotnet --version
total_start=$SECONDS

# ---------------------------------------------------------------------------------------------------------------
begin "pack (dotnet pack Toolkit.sln -c Release)"
# Build outputs go under $work (artifacts path), so the repository's bin/ and obj/ are left alone.
if logged "$work/pack.log" dotnet pack "$repo/Toolkit.sln" -c Release -o "$feed" --artifacts-path "$work/artifacts" \
    -p:VersionSuffix="$suffix" -p:ContinuousIntegrationBuild=true; then
  expected=$(for id in "${ids[@]}" "$tool_id"; do echo "$id.$version.nupkg"; echo "$id.$version.snupkg"; done | sort)
  actual=$(ls "$feed" | sort)
  if [ "$expected" = "$actual" ]; then
    pass "exactly $(( ${#ids[@]} + 1 )) packages (libraries and the tool) and their symbols: $(echo $actual)"
  else
    fail "packages: expected $(echo $expected), got $(echo $actual)"
  fi
else
  fail "dotnet pack failed (log above)"
fi
end "pack"

# ---------------------------------------------------------------------------------------------------------------
begin "package layout"
entries() { unzip -Z1 "$feed/$1.$version.$2" 2>/dev/null; }
nuspec() { unzip -p "$feed/$1.$version.nupkg" "$1.nuspec" 2>/dev/null; }
layout_ok=true
# (Listings are read into a string first: `unzip | grep -q` would fail under pipefail when grep stops reading early.)
need() { # package, extension, entry
  if ! grep -qxF "$3" <<<"$(entries "$1" "$2")"; then fail "$1.$2 lacks $3"; layout_ok=false; fi
}
spec_has() { # package, pattern, what
  if ! grep -qE "$2" <<<"$(nuspec "$1")"; then fail "$1.nuspec lacks $3"; layout_ok=false; fi
}
spec_lacks() { # package, pattern, what
  if grep -qiE "$2" <<<"$(nuspec "$1")"; then fail "$1.nuspec has $3"; layout_ok=false; fi
}
if [ -f "$feed/SharpShot.$version.nupkg" ]; then
  for f in lib/net10.0/SharpShot.dll analyzers/dotnet/cs/SharpShot.Generators.dll README.md \
           build/SharpShot.targets build/WeakenGlibcxxNeed.cs buildTransitive/SharpShot.targets buildTransitive/WeakenGlibcxxNeed.cs; do
    need SharpShot nupkg "$f"
  done
  listing=$(entries SharpShot nupkg)
  if [ -n "$(awk '!/^analyzers\/dotnet\/cs\// && /SharpShot\.Generators/' <<<"$listing")" ]; then
    fail "SharpShot.nupkg has the generator outside analyzers/dotnet/cs"; layout_ok=false
  fi
  others=$(awk '/^analyzers\// && $0 != "analyzers/dotnet/cs/SharpShot.Generators.dll"' <<<"$listing")
  if [ -n "$others" ]; then
    fail "SharpShot.nupkg has other analyzer files: $(echo $others)"; layout_ok=false
  fi
  spec_has SharpShot '<dependency id="SharpShot.Onnx" version="'"$version"'"' "a dependency on SharpShot.Onnx $version"
  spec_has SharpShot '<dependency id="TorchSharp-cpu"' "a dependency on TorchSharp-cpu"
  spec_lacks SharpShot 'id="(SharpShot\.Generators|Microsoft\.CodeAnalysis)' "the generator or Roslyn as a dependency"
  need SharpShot.Onnx nupkg lib/net10.0/SharpShot.Onnx.dll
  spec_has SharpShot.Onnx '<dependency id="Google.Protobuf"' "a dependency on Google.Protobuf"
  spec_lacks SharpShot.Onnx 'id="Grpc\.Tools"' "Grpc.Tools (build-time only) as a dependency"
  need SharpShot.Inference nupkg lib/net10.0/SharpShot.Inference.dll
  spec_has SharpShot.Inference '<dependency id="Microsoft.ML.OnnxRuntime.Managed"' "a dependency on Microsoft.ML.OnnxRuntime.Managed (the app brings the native package)"
  spec_has SharpShot.Inference '<dependency id="SharpShot.Onnx" version="'"$version"'"' "a dependency on SharpShot.Onnx $version"
  spec_has SharpShot.Inference '<dependency id="SharpShot.Imaging" version="'"$version"'"' "a dependency on SharpShot.Imaging $version"
  spec_lacks SharpShot.Inference 'id="(TorchSharp|libtorch|SharpShot")' "TorchSharp or SharpShot (deployment must not need TorchSharp)"
  need SharpShot.Imaging nupkg lib/net10.0/SharpShot.Imaging.dll
  spec_has SharpShot.Imaging '<dependency id="StbImageSharp"' "a dependency on StbImageSharp"
  spec_lacks SharpShot.Imaging 'id="(TorchSharp|libtorch|Microsoft\.ML|SharpShot)' "TorchSharp, ONNX Runtime or another SharpShot package"
  spec_has SharpShot '<dependency id="SharpShot.Imaging" version="'"$version"'"' "a dependency on SharpShot.Imaging $version"
  for id in "${ids[@]}"; do
    need "$id" nupkg README.md
    need "$id" snupkg "lib/net10.0/$id.pdb"
    spec_has "$id" '<license type="expression">MIT</license>' "the MIT licence expression"
    spec_has "$id" '<readme>README.md</readme>' "the readme"
    spec_has "$id" '<repository type="git"' "the git repository"
    spec_has "$id" '<authors>.+</authors>' "authors"
    spec_has "$id" '<description>.+</description>' "a description"
  done
  need SharpShot.Serving nupkg lib/net10.0/SharpShot.Serving.dll
  spec_has SharpShot.Serving '<frameworkReference name="Microsoft.AspNetCore.App"' "a framework reference to ASP.NET Core"
  spec_has SharpShot.Serving '<dependency id="SharpShot.Inference" version="'"$version"'"' "a dependency on SharpShot.Inference $version"
  spec_lacks SharpShot.Serving 'id="(TorchSharp|libtorch|SharpShot")' "TorchSharp or SharpShot"
  need "$tool_id" nupkg tools/net10.0/any/sharpshot.dll
  need "$tool_id" nupkg tools/net10.0/any/DotnetToolSettings.xml
  need "$tool_id" nupkg tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so
  if grep -qE '^tools/net10.0/any/(runtimes/(android|ios)/|.*[Tt]orch)' <<<"$(entries "$tool_id" nupkg)"; then
    fail "$tool_id.nupkg carries mobile ONNX Runtime archives or TorchSharp"; layout_ok=false
  fi
  spec_has "$tool_id" '<packageType name="DotnetTool"' "the DotnetTool package type"
  if [ "$layout_ok" = true ]; then
    pass "SharpShot: lib, generator in analyzers/dotnet/cs only, build/ and buildTransitive/ targets; licence, readme, repository, symbols; Inference has no TorchSharp"
  fi
  echo "SharpShot.$version.nupkg:"
  grep -vE '^(_rels/|\[Content_Types\]|package/)' <<<"$listing" | sed 's/^/  /'
  echo "repository: $(grep -oE '<repository [^>]*>' <<<"$(nuspec SharpShot)")"
else
  fail "no SharpShot package to inspect"
fi
end "package layout"

# ---------------------------------------------------------------------------------------------------------------
# The feed is added to the machine's configured sources (not <clear/>ed): TorchSharp, ONNX Runtime and the
# rest come from wherever this machine normally gets packages, usually already from the global packages folder.
cat >"$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="sharpshot-package-check" value="$feed" />
  </packageSources>
</configuration>
EOF

libstdcxx=""
for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu /lib64 /usr/lib64 /lib /usr/lib; do
  if [ -e "$d/libstdc++.so.6" ]; then libstdcxx="$d/libstdc++.so.6"; break; fi
done
fix_needed=false
if [ -n "$libstdcxx" ] && ! grep -qaF GLIBCXX_3.4.32 "$libstdcxx"; then fix_needed=true; fi
fix_message='SharpShot: .* lacks GLIBCXX_3.4.32; marked that need weak in '

# Checks from a normal-verbosity build log that the package's targets fixed the output copy where (and only where) needed.
check_fix() { # log, project folder, what
  if [ "$fix_needed" = true ]; then
    if grep -qE "$fix_message$2/bin/" "$1"; then
      pass "$3: $libstdcxx lacks GLIBCXX_3.4.32, and SharpShot's targets fixed the build output's libLibTorchSharp.so"
    else
      fail "$3: $libstdcxx lacks GLIBCXX_3.4.32, but SharpShot's targets did not fix the build output's libLibTorchSharp.so"
    fi
  elif grep -qE "$fix_message" "$1"; then
    fail "$3: the system libstdc++ has GLIBCXX_3.4.32, yet the build edited libLibTorchSharp.so"
  else
    pass "$3: the system libstdc++ has GLIBCXX_3.4.32 (or is not found); nothing to fix, nothing edited"
  fi
}

app="$work/App"
if [ -f "$feed/SharpShot.$version.nupkg" ]; then
  # -------------------------------------------------------------------------------------------------------------
  begin "App: a new console project using the packages"
  if logged "$work/app-new.log" dotnet new console --no-restore -o "$app" -n PackageCheckApp &&
     logged "$work/app-add.log" dotnet add "$app" package SharpShot --version "$version" &&
     logged "$work/app-add2.log" dotnet add "$app" package SharpShot.Inference --version "$version" &&
     logged "$work/app-add3.log" dotnet add "$app" package Microsoft.ML.OnnxRuntime --version 1.32.0; then
    rm -f "$app/Program.cs"
    cp "$here/App/"*.cs "$app/"
    if logged "$work/app-build.log" dotnet build "$app" -v n; then
      if grep -qE "$analyzer_trouble" "$work/app-build.log"; then
        fail "App build: the analyzer did not run cleanly: $(grep -oE "$analyzer_trouble[^[]*" "$work/app-build.log" | sort -u | head -3)"
      else
        pass "App builds; the generator ran from the package (generated members compile; no CS9057/CS8032/CS8785)"
      fi
      warnings=$(grep -oE ': warning [A-Z]+[0-9]+:[^[]*' "$work/app-build.log" | sort -u || true)
      if [ -n "$warnings" ]; then echo "App build warnings:"; echo "$warnings" | sed 's/^/  /'; fi
      check_fix "$work/app-build.log" "$app" "App"
    else
      fail "App does not build (log above)"
    fi
  else
    fail "could not create the App project or add the packages (log above)"
  fi
  end "App: create, add packages, build"

  begin "App: train, export, run with OnnxModel"
  if [ -f "$app/bin/Debug/net10.0/PackageCheckApp.dll" ]; then
    if (cd "$app" && dotnet bin/Debug/net10.0/PackageCheckApp.dll "$work"); then
      pass "App: trained with TorchSharp, exported ONNX, ONNX Runtime agrees"
    else
      fail "App: the run failed (output above)"
    fi
  else
    fail "App: nothing to run"
  fi
  end "App: run"

  # -------------------------------------------------------------------------------------------------------------
  if [ "$fix_needed" = true ] && [ -f "$app/bin/Debug/net10.0/PackageCheckApp.dll" ]; then
    begin "control: the same app with the NuGet cache's unfixed libLibTorchSharp.so"
    torch_version=$(grep -oE '"TorchSharp/[0-9][^"]*"' "$app/bin/Debug/net10.0/PackageCheckApp.deps.json" | head -1 | tr -d '"' | cut -d/ -f2 || true)
    cached="$global_packages/torchsharp/$torch_version/runtimes/linux-x64/native/libLibTorchSharp.so"
    if [ -f "$cached" ]; then
      cp -al "$app/bin/Debug/net10.0" "$work/control"   # hard links: nothing is copied or changed in the original
      count=0
      while IFS= read -r copy; do
        rm -f "$copy"; cp "$cached" "$copy"; count=$((count + 1))
      done < <(find "$work/control" -name libLibTorchSharp.so)
      if [ "$count" -gt 0 ] && ! (cd "$work/control" && dotnet PackageCheckApp.dll "$work/control") >"$work/control.log" 2>&1; then
        if grep -qF GLIBCXX_3.4.32 "$work/control.log"; then
          pass "control: without the fix TorchSharp does not load here ('GLIBCXX_3.4.32' not found), so the App's PASS needed the package's targets; the NuGet cache's copy is untouched"
        else
          pass "control: without the fix the App fails here, so its PASS needed the package's targets; the NuGet cache's copy is untouched"
        fi
      else
        fail "control: the App ran with the unfixed libLibTorchSharp.so (or none was found) — either the cache copy was modified or the check does not exercise the fix"
      fi
    else
      fail "control: $cached not found"
    fi
    end "control"
  fi

  # -------------------------------------------------------------------------------------------------------------
  begin "BadDeclaration: Dense after Conv2d without Flatten must fail with SS0002"
  bad="$work/BadDeclaration"
  if logged "$work/bad-new.log" dotnet new console --no-restore -o "$bad" -n BadDeclaration &&
     logged "$work/bad-add.log" dotnet add "$bad" package SharpShot --version "$version"; then
    cp "$here/BadDeclaration/"*.cs "$bad/"
    if dotnet build "$bad" >"$work/bad-build.log" 2>&1; then
      fail "BadDeclaration built, but it must fail with SS0002"
    elif grep -qE 'BrokenModel\.cs\([0-9]+,[0-9]+\): error SS0002' "$work/bad-build.log"; then
      pass "BadDeclaration fails: $(grep -oE 'BrokenModel\.cs\([0-9]+,[0-9]+\): error SS0002[^[]*' "$work/bad-build.log" | head -1)"
    else
      tail -n 20 "$work/bad-build.log"
      fail "BadDeclaration failed without SS0002 at BrokenModel.cs (log above)"
    fi
  else
    fail "could not create the BadDeclaration project (log above)"
  fi
  end "BadDeclaration"

  # -------------------------------------------------------------------------------------------------------------
  begin "Transitive: an app referencing only a library that references SharpShot"
  lib="$work/Transitive/Library"; tapp="$work/Transitive/App"
  if logged "$work/t-new.log" dotnet new classlib --no-restore -o "$lib" -n PackageCheckLibrary &&
     logged "$work/t-add.log" dotnet add "$lib" package SharpShot --version "$version" &&
     logged "$work/t-new2.log" dotnet new console --no-restore -o "$tapp" -n TransitiveApp &&
     logged "$work/t-ref.log" dotnet add "$tapp" reference "$lib/PackageCheckLibrary.csproj"; then
    rm -f "$lib/Class1.cs" "$tapp/Program.cs"
    cp "$here/Transitive/Library/"*.cs "$lib/"
    cp "$here/Transitive/App/"*.cs "$tapp/"
    if logged "$work/t-build.log" dotnet build "$tapp" -v n; then
      check_fix "$work/t-build.log" "$tapp" "Transitive"
      if (cd "$tapp" && dotnet bin/Debug/net10.0/TransitiveApp.dll); then
        pass "Transitive: TorchSharp runs in an app that gets SharpShot through a project reference"
      else
        fail "Transitive: the run failed (output above)"
      fi
    else
      fail "Transitive does not build (log above)"
    fi
  else
    fail "could not create the Transitive projects (log above)"
  fi
  end "Transitive"
fi

# ---------------------------------------------------------------------------------------------------------------
if [ -f "$feed/$tool_id.$version.nupkg" ]; then
  begin "Tool: dotnet tool install from the feed, then run it"
  tools="$work/tools"
  if logged "$work/tool-install.log" dotnet tool install "$tool_id" --version "$version" --tool-path "$tools" --add-source "$feed"; then
    if "$tools/sharpshot" --help > "$work/tool-help.log" 2>&1 && grep -q "inspect" "$work/tool-help.log"; then
      pass "Tool: 'sharpshot --help' lists the commands"
    else
      fail "Tool: 'sharpshot --help' failed: $(head -5 "$work/tool-help.log")"
    fi
    exported="$work/package-check.onnx"
    if [ -f "$exported" ] && "$tools/sharpshot" inspect "$exported" --json > "$work/tool-inspect.json" 2>&1 &&
       grep -q '"ir_version"' "$work/tool-inspect.json" &&
       "$tools/sharpshot" bench "$exported" --batch 1,8 --seconds 0.2 --warmup 0 > "$work/tool-bench.log" 2>&1; then
      pass "Tool: inspect and bench run on the App's exported model"
    else
      fail "Tool: inspect or bench failed on $exported: $(tail -5 "$work/tool-inspect.json" "$work/tool-bench.log" 2>/dev/null)"
    fi
    "$tools/sharpshot" inspect "$work/no-such.onnx" > /dev/null 2>&1 && status=0 || status=$?
    if [ "$status" -eq 1 ]; then pass "Tool: a missing model exits with 1"; else fail "Tool: a missing model exited with $status, expected 1"; fi
  else
    fail "Tool: dotnet tool install failed (log above)"
  fi
  end "Tool"
fi

# ---------------------------------------------------------------------------------------------------------------
echo
echo "== timings"
printf '%s\n' "${timings[@]}"
printf '%4d s  total\n' $((SECONDS - total_start))
if [ "${#failures[@]}" -eq 0 ]; then
  echo "package check: PASS"
else
  echo "package check: FAIL (${#failures[@]}):"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
