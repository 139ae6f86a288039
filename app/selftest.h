// --self-test OUT_DIR: drives the running app through everything it can do, saves one
// PNG per panel (plus the whole window and the dialogs) into OUT_DIR, then exits 0, or
// exits 1 after printing why. Later features add their steps here.
#pragma once

#include "appoptions.h"

#include <QObject>
#include <QString>
#include <QStringList>

class DeviceController;
class MainWindow;
class ModelController;
class QWidget;
struct ChatControllers;

class KnowledgePanel;
class ThemeController;

class SelfTest : public QObject {
    Q_OBJECT
public:
    SelfTest(MainWindow& window, ModelController& models, DeviceController& devices, ChatControllers& chat,
             ThemeController& theme, const AppOptions& options, QObject* parent = nullptr);

    void run(); // every step, then the app exits

private:
    void waitForDevices();
    void waitForModel();
    void chatTurn();
    void lookInside();
    void timePanels();
    void capture();
    void writeCode();
    void searchKnowledge();
    bool searchByMeaning(KnowledgePanel* panel);
    void workbench();
    bool writePicture(QWidget* widget, const QString& name);
    void fail(const QString& reason);
    void finish();

    MainWindow& m_window;
    ModelController& m_models;
    DeviceController& m_devices;
    ThemeController& m_theme;
    ChatControllers& m_chat;
    AppOptions m_options;
    QString m_modelError;
    QStringList m_written;
    bool m_failed = false;
};
