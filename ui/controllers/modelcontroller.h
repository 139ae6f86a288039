// The model the user chose: opening a GGUF file (from the menu, a drop or --model) on the
// engine worker with progress, remembering recent ones, unloading. Quick checks (exists,
// readable, GGUF magic) answer at once; the real loading errors come from the engine.
#pragma once

#include "appsettings.h"
#include "chattypes.h"
#include "remoteclient.h"

#include <QObject>
#include <QString>

class EngineController;

class ModelController : public QObject {
    Q_OBJECT
public:
    ModelController(AppSettings& settings, EngineController& engine, QObject* parent = nullptr);

    QString currentPath() const { return m_path; }   // "" until a model has loaded; "remote:MODEL@URL"
    bool isRemote() const;                           // a server's model (connectRemote)
    QString currentName() const;                     // file name without folders
    bool isBuiltin() const;                          // the demo model that ships with Seekbench
    bool isLoading() const;
    const LoadedModel& model() const;

    void open(const QString& path);
    void close();
    // Chat with `endpoint.model` on an OpenAI-compatible server; the local model stays until
    // the server answers with that model (errorOccurred with the reason otherwise).
    void connectRemote(const RemoteEndpoint& endpoint);
    // The models an endpoint offers: remoteModelsListed or remoteListFailed.
    void listRemoteModels(const RemoteEndpoint& endpoint);

signals:
    void loadingStarted(const QString& path);
    void loadProgress(double fraction);
    void modelChanged(const QString& path);          // "" when closed
    void errorOccurred(const QString& message);
    void noticeOccurred(const QString& message);     // worth saying, not an error (a fallback)
    void remoteModelsListed(const QStringList& models);
    void remoteListFailed(const QString& message);

private:
    AppSettings& m_settings;
    EngineController& m_engine;
    QString m_path;
    QString m_previous; // what was open when a load began: where a failed load goes back to
    QString m_opening;  // the load open() started ("" when none)
    RemoteClient m_lister; // asks endpoints for their models
};
