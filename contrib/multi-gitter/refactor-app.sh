#!/bin/sh
# refactor-app in every repository of an organisation, with multi-gitter
# (https://github.com/lindell/multi-gitter); refactor-app and git on PATH, and a git identity
# (git config user.name/user.email, or GIT_AUTHOR_*/GIT_COMMITTER_*: multi-gitter's --author-name
# and --author-email name only its own commit):
#
#   multi-gitter run ./contrib/multi-gitter/refactor-app.sh --org my-org --branch refactor-app \
#       --pr-title "Configure Django from the environment" --commit-message "Apply refactor-app's last step"
#
# multi-gitter clones each repository, checks out --branch, runs this script in the clone with
# REPOSITORY=owner/name set, and then: a non-zero exit reports the repository failed and pushes
# nothing; a clean tree is "no changes" and opens no pull request; otherwise it commits what is
# left (git add ., --commit-message) and pushes the branch, commits made here included.
#
# So refactor-app commits one commit per step (apply --all --commit), and the last step's
# commit is handed back to multi-gitter: undone, its changes kept staged, for multi-gitter to
# commit under --commit-message (the script's log names the step).
# REFACTOR_APP_KEEP_COMMITS=1 keeps every step's own commit and leaves the tree clean, for an
# engine that pushes the script's commits as they are (multi-gitter as released would see no
# changes).
#
# Exit codes: 0 done, or nothing to do (also: no manage.py in the repository, not a Django
# project); else refactor-app's own: 2 when the project needs a choice (which settings module,
# which Dockerfile, which of several projects) or its files are bad input, 3 a bug. A repository
# that needs a choice gets lines in the file REFACTOR_APP_OPTIONS names, one run of refactor-app
# per line, with the arguments after the repository's name (split on spaces):
#
#   my-org/shop       --settings shop/settings/production.py
#   my-org/monorepo   services/billing
#   my-org/monorepo   services/orders
set -eu

repository=${REPOSITORY:-}
say() { echo "refactor-app.sh: ${repository:-$PWD}: $*" >&2; }

runs=""  # this repository's lines of REFACTOR_APP_OPTIONS: "+" and the arguments after its name
if [ -n "${REFACTOR_APP_OPTIONS:-}" ] && [ -n "$repository" ]; then
    if [ ! -r "$REFACTOR_APP_OPTIONS" ]; then
        say "cannot read REFACTOR_APP_OPTIONS=$REFACTOR_APP_OPTIONS; pass a file of 'owner/name ARGUMENTS' lines."
        exit 2
    fi
    runs=$(awk -v repo="$repository" '{ sub(/\r$/, "") } $1 == repo { $1 = ""; sub(/^ +/, ""); print "+" $0 }' \
        "$REFACTOR_APP_OPTIONS")
fi

if [ -z "$runs" ] && [ -z "$(git ls-files -- manage.py '*/manage.py')" ]; then
    say "no manage.py in the repository: not a Django project, nothing to do."
    exit 0
fi

start=$(git rev-parse HEAD)
status=0
if [ -z "$runs" ]; then
    refactor-app apply --all --commit || status=$?
else
    set -f  # the arguments are split on spaces, never expanded as file patterns
    while IFS= read -r line; do
        arguments=${line#+}
        # shellcheck disable=SC2086
        refactor-app apply --all --commit $arguments || { status=$?; break; }
    done <<EOF
$runs
EOF
    set +f
fi
if [ "$status" -ne 0 ]; then
    say "refactor-app failed (exit $status); the repository is left out of this run."
    exit "$status"
fi

if [ -n "$(git status --porcelain)" ]; then
    say "refactor-app left changes it did not commit:"
    git status --short >&2
    exit 3
fi
steps=$(git rev-list --count "$start..HEAD")
if [ "$steps" -eq 0 ]; then
    say "nothing to apply: every step is done or not applicable (the lines above say which)."
    exit 0
fi
if [ "${REFACTOR_APP_KEEP_COMMITS:-}" = 1 ]; then
    say "$steps steps, each committed."
    exit 0
fi
last=$(git log -1 --format=%s)
git reset --quiet --soft HEAD~1
say "$steps steps: $((steps - 1)) committed, the last one (\"$last\") staged for multi-gitter's commit."
