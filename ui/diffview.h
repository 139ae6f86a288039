// A proposed change to code, hunk by hunk: what goes out (red) and what comes in (green),
// each with its own "Apply" box; the result is the code with the chosen hunks applied.
#pragma once

#include "ui/controllers/linediff.h"

#include <QDialog>

class QCheckBox;

class DiffView : public QDialog {
    Q_OBJECT
public:
    DiffView(const QString& original, const QString& proposed, QWidget* parent = nullptr);

    int hunkCount() const { return int(m_hunks.size()); }
    QCheckBox* hunkBox(int i) const { return m_boxes.value(i); }
    QString result() const; // the original with the checked hunks applied

private:
    QStringList m_before;
    QList<DiffHunk> m_hunks;
    QList<QCheckBox*> m_boxes;
};
