// The model the user chose: opening a GGUF file (from the menu, a drop or --model),
// remembering recent ones, and telling the window. Loading for inference arrives with the
// engine worker; this class owns the choice and the recent list.
#pragma once

#include "appsettings.h"

#include <QObject>
#include <QString>

class ModelController : public QObject {
    Q_OBJECT
public:
    explicit ModelController(AppSettings& settings, QObject* parent = nullptr);

    QString currentPath() const { return m_path; }
    QString currentName() const;          // file name without folders, "" when none

    // Checks the file is there, readable and a GGUF file; reports through signals.
    void open(const QString& path);
    void close();

signals:
    void modelChanged(const QString& path);          // "" when closed
    void errorOccurred(const QString& message);

private:
    AppSettings& m_settings;
    QString m_path;
};
