// diffLines: the LCS table over lines (code proposals are a few hundred lines at most, so
// the quadratic table is small), walked forward to collect the changed runs.
#include "linediff.h"

#include <vector>

QList<DiffHunk> diffLines(const QStringList& a, const QStringList& b)
{
    const int n = int(a.size()), m = int(b.size());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    std::vector<std::vector<int>> lcs(std::size_t(n + 1), std::vector<int>(std::size_t(m + 1), 0));
    for (int i = n - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j)
            lcs[std::size_t(i)][std::size_t(j)] = a[i] == b[j] ? lcs[std::size_t(i + 1)][std::size_t(j + 1)] + 1
                                                               : std::max(lcs[std::size_t(i + 1)][std::size_t(j)],
                                                                          lcs[std::size_t(i)][std::size_t(j + 1)]);
    QList<DiffHunk> hunks;
    DiffHunk open;
    bool in_hunk = false;
    auto close = [&] {
        if (in_hunk)
            hunks.append(open);
        in_hunk = false;
        open = DiffHunk{};
    };
    int i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            close();
            ++i, ++j;
        } else if (j < m && (i == n || lcs[std::size_t(i)][std::size_t(j + 1)] >= lcs[std::size_t(i + 1)][std::size_t(j)])) {
            if (!in_hunk) {
                open.oldStart = i;
                in_hunk = true;
            }
            open.added.append(b[j++]);
        } else {
            if (!in_hunk) {
                open.oldStart = i;
                in_hunk = true;
            }
            open.removed.append(a[i++]);
        }
    }
    close();
    return hunks;
}

QStringList applyHunks(const QStringList& before, const QList<DiffHunk>& hunks, const QList<bool>& accepted)
{
    QStringList out;
    int next = 0; // the next old line not yet copied
    for (int h = 0; h < hunks.size(); ++h) {
        const DiffHunk& d = hunks[h];
        for (; next < d.oldStart; ++next)
            out.append(before[next]);
        if (h < accepted.size() && accepted[h]) {
            out.append(d.added);
        } else {
            out.append(d.removed);
        }
        next += int(d.removed.size());
    }
    for (; next < before.size(); ++next)
        out.append(before[next]);
    return out;
}
