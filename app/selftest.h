// --self-test OUT_DIR: drives the running app through everything it can do, saves one
// PNG per panel (plus the whole window and the dialogs) into OUT_DIR, then exits 0, or
// exits 1 after printing why. Later features add their steps here.
#pragma once

#include "appoptions.h"

#include <QObject>
#include <QString>
#include <QStringList>

class ChatController;
class DeviceController;
class MainWindow;
class ModelController;
class QWidget;

class SelfTest : public QObject {
    Q_OBJECT
public:
    SelfTest(MainWindow& window, ModelController& models, DeviceController& devices, ChatController& chat,
             const AppOptions& options, QObject* parent = nullptr);

    void start();

private:
    void waitForDevices();
    void waitForModel();
    void chatTurn();
    void lookInside();
    void timePanels();
    void capture();
    bool save(QWidget* widget, const QString& name);
    void fail(const QString& reason);
    void finish();

    MainWindow& m_window;
    ModelController& m_models;
    DeviceController& m_devices;
    ChatController& m_chat;
    AppOptions m_options;
    QString m_modelError;
    QStringList m_written;
    bool m_failed = false;
};
