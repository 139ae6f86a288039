// The model the user chose: opening a GGUF file (from the menu, a drop or --model) on the
// engine worker with progress, remembering recent ones, unloading. Quick checks (exists,
// readable, GGUF magic) answer at once; the real loading errors come from the engine.
#pragma once

#include "appsettings.h"
#include "chattypes.h"

#include <QObject>
#include <QString>

class EngineController;

class ModelController : public QObject {
    Q_OBJECT
public:
    ModelController(AppSettings& settings, EngineController& engine, QObject* parent = nullptr);

    QString currentPath() const { return m_path; }   // "" until a model has loaded
    QString currentName() const;                     // file name without folders
    bool isBuiltin() const;                          // the demo model that ships with Seekbench
    bool isLoading() const;
    const LoadedModel& model() const;

    void open(const QString& path);
    void close();

signals:
    void loadingStarted(const QString& path);
    void loadProgress(double fraction);
    void modelChanged(const QString& path);          // "" when closed
    void errorOccurred(const QString& message);
    void noticeOccurred(const QString& message);     // worth saying, not an error (a fallback)

private:
    AppSettings& m_settings;
    EngineController& m_engine;
    QString m_path;
    QString m_previous; // what was open when a load began: where a failed load goes back to
    QString m_opening;  // the load open() started ("" when none)
};
