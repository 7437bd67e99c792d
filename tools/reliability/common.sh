# Shared by the reliability scripts: builds the program once (Release) and runs it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROJECT="$ROOT/tools/reliability/SharpShot.Reliability/SharpShot.Reliability.csproj"
DLL="$ROOT/tools/reliability/SharpShot.Reliability/bin/Release/net10.0/SharpShot.Reliability.dll"
if [[ "${SHARPSHOT_NO_BUILD:-0}" != "1" ]]; then
  dotnet build "$PROJECT" -c Release --nologo -v quiet >&2
fi
reliability() { dotnet "$DLL" "$@"; }
