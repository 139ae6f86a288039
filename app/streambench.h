// --stream-bench RUNS: what a user sees of the engine's speed. Each run streams one reply in
// the real window with the Attention and Routing docks closed, one with them open, and one
// through `seekbench-cli chat` with the same model and prompt; the medians are printed side
// by side with the GUI's longest event-loop gap while streaming. Then the app exits.
#pragma once

#include "appoptions.h"

#include <QList>
#include <QObject>
#include <QString>

class MainWindow;
class ModelController;
struct ChatControllers;

class StreamBench : public QObject {
    Q_OBJECT
public:
    StreamBench(MainWindow& window, ModelController& models, ChatControllers& chat, const AppOptions& options,
                QObject* parent = nullptr);

    void run(); // every run, the summary, then the app exits (1 after printing why it failed)

private:
    struct Reply {
        double tokensPerSecond = 0;
        double longestGapMs = 0;
    };
    bool streamInApp(bool docksOpen, Reply& out);
    bool streamInCli(double& tokensPerSecond);
    void settle(); // lets memory freed just before be handed back first (see the definition)
    bool fail(const QString& reason);

    MainWindow& m_window;
    ModelController& m_models;
    ChatControllers& m_chat;
    const AppOptions& m_options;
    QString m_modelError;
};
