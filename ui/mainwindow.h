// The main window: a place for every panel (Chat in the centre; Models, Knowledge, Code,
// Attention and Routing as docks whose layout is saved), the menus, and a status bar for
// the model, the device and the speed. Reaches the engine only through ui/controllers/.
#pragma once

#include <QMainWindow>
#include <QMap>
#include <QStringList>

namespace KSyntaxHighlighting {
class Repository;
}
class AppSettings;
class ChatPanel;
class CodeController;
class CodePanel;
class KnowledgeController;
class KnowledgePanel;
class LintController;
struct ChatControllers;
class ConversationList;
class DeviceController;
class ModelController;
class QDialog;
class QDockWidget;
class QLabel;
class QMenu;
class ServerController;
class WorkbenchController;
class WorkbenchDialog;
class ServerPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(AppSettings& settings, ModelController& models, DeviceController& devices, ChatControllers& chat,
               CodeController& code, LintController& lint, KnowledgeController& knowledge, ServerController& server,
               WorkbenchController& workbench, KSyntaxHighlighting::Repository& repository, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Panel ids: chat, conversations, code, attention, routing, knowledge, models, server.
    QStringList panelIds() const;
    QWidget* panel(const QString& id) const;
    QDockWidget* dock(const QString& id) const;       // nullptr for the central chat panel
    QWidget* showPanel(const QString& id);            // raises its dock; returns the panel

    QDialog* createSettingsDialog();                  // caller owns the dialog
    QDialog* createAboutDialog();
    QDialog* createWelcomeDialog();
    QDialog* createGuideDialog();                     // Help › User Guide (F1)
    QDialog* createShortcutsDialog();                 // every menu action's keys, and the chat's
    WorkbenchDialog* openWorkbench();                 // Models › Workbench (one, kept while the window lives)
    // On the first start (per data dir): opens the welcome, non-modal; nullptr afterwards.
    QDialog* showWelcomeIfFirstRun();

    QAction* findAction() const { return m_findAction; }           // Ctrl+F: search conversations
    QAction* stopAction() const { return m_stopAction; }           // Esc in the chat: stop the reply
    QAction* fullScreenAction() const { return m_fullScreenAction; } // F11

    ChatPanel* chatPanel() const { return m_chatPanel; }
    CodePanel* codePanel() const { return m_codePanel; }
    KnowledgePanel* knowledgePanel() const { return m_knowledgePanel; }
    ServerPanel* serverPanel() const { return m_serverPanel; }
    ConversationList* conversationList() const { return m_conversations; }
    QLabel* modelStatus() const { return m_modelLabel; }
    QLabel* deviceStatus() const { return m_deviceLabel; }
    QLabel* speedStatus() const { return m_speedLabel; }

public slots:
    void openModelDialog();
    void resetLayout();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override; // View › Full Screen follows the window's state
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createPanels();
    void createMenus();
    void createStatusBar();
    void placeDocks();
    void rebuildRecentMenu();
    void updateModelStatus();
    void updateDeviceStatus();
    void showError(const QString& message);
    QDockWidget* addPanelDock(const QString& id, const QString& title, QWidget* panel);
    void updateTraceWanted();

    AppSettings& m_settings;
    ModelController& m_models;
    DeviceController& m_devices;
    ChatControllers& m_chat;
    CodeController& m_code;
    LintController& m_lint;
    KnowledgeController& m_knowledge;
    ServerController& m_server;
    WorkbenchController& m_workbench;
    WorkbenchDialog* m_workbenchDialog = nullptr; // made when first opened
    KSyntaxHighlighting::Repository& m_repository;
    ChatPanel* m_chatPanel = nullptr;
    CodePanel* m_codePanel = nullptr;
    KnowledgePanel* m_knowledgePanel = nullptr;
    ServerPanel* m_serverPanel = nullptr;
    ConversationList* m_conversations = nullptr;
    QMap<QString, QDockWidget*> m_docks;
    QMap<QString, QWidget*> m_panels; // the docks' panels (each inside a scroll area)
    QMenu* m_recentMenu = nullptr;
    QAction* m_findAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_fullScreenAction = nullptr;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_deviceLabel = nullptr;
    QLabel* m_speedLabel = nullptr;
    QMap<QString, bool> m_traceDockOnScreen; // attention/routing: on screen (not a hidden tab)
    QByteArray m_defaultLayout;   // saveState() of placeDocks(), for Reset Layout
};
