// Line diffs for proposed code changes: the hunks that turn one text into another (runs of
// removed and added lines between unchanged ones, from a longest common subsequence), and
// the text with only the accepted hunks applied. Plain values, no widgets.
#pragma once

#include <QList>
#include <QStringList>

struct DiffHunk {
    int oldStart = 0;      // the first old line it replaces (0-based); where it inserts when none
    QStringList removed;   // old lines it takes out
    QStringList added;     // new lines it puts in
};

QList<DiffHunk> diffLines(const QStringList& before, const QStringList& after);
// `before` with hunk i applied where accepted[i] (hunks as diffLines returned them).
QStringList applyHunks(const QStringList& before, const QList<DiffHunk>& hunks, const QList<bool>& accepted);
