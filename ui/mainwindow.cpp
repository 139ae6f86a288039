// MainWindow: builds the panels, menus and status bar, and saves/restores the dock layout
// in AppSettings.
#include "mainwindow.h"

#include "aboutdialog.h"
#include "attentionpanel.h"
#include "chatpanel.h"
#include "codepanel.h"
#include "conversationlist.h"
#include "guidedialog.h"
#include "knowledgepanel.h"
#include "modelpanel.h"
#include "remotedialog.h"
#include "routingpanel.h"
#include "serverpanel.h"
#include "settingsdialog.h"
#include "welcomedialog.h"
#include "workbenchdialog.h"

#include "ui/controllers/appsettings.h"
#include "ui/controllers/chatcontrollers.h"
#include "ui/controllers/codecontroller.h"
#include "ui/controllers/devicecontroller.h"
#include "ui/controllers/knowledgecontroller.h"
#include "ui/controllers/modelcontroller.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <functional>

namespace {
// Bump when the set of docks changes, so an old saved layout is not applied to a new set.
constexpr int kLayoutVersion = 3;

bool isGgufUrl(const QUrl& url)
{
    return url.isLocalFile() && url.toLocalFile().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
}
} // namespace

MainWindow::MainWindow(AppSettings& settings, ModelController& models, DeviceController& devices, ChatControllers& chat,
                       CodeController& code, LintController& lint, KnowledgeController& knowledge,
                       ServerController& server, WorkbenchController& workbench,
                       KSyntaxHighlighting::Repository& repository, QWidget* parent)
    : QMainWindow(parent), m_settings(settings), m_models(models), m_devices(devices), m_chat(chat), m_code(code), m_lint(lint),
      m_knowledge(knowledge), m_server(server), m_workbench(workbench),
      m_repository(repository)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Seekbench"));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    createPanels();
    createMenus();
    createStatusBar();
    placeDocks();
    m_defaultLayout = saveState(kLayoutVersion);
    if (!restoreGeometry(m_settings.windowGeometry()))
        resize(1400, 900);
    restoreState(m_settings.windowState(), kLayoutVersion);

    connect(&m_models, &ModelController::modelChanged, this, &MainWindow::updateModelStatus);
    connect(&m_models, &ModelController::modelChanged, this, &MainWindow::updateDeviceStatus);
    connect(&m_models, &ModelController::noticeOccurred, this,
            [this](const QString& message) { statusBar()->showMessage(message, 15000); });
    connect(&m_models, &ModelController::modelChanged, this,
            [this](const QString& path) { m_chatPanel->setModelLoaded(!path.isEmpty()); });
    connect(&m_models, &ModelController::loadingStarted, this, [this](const QString& path) {
        m_modelLabel->setText(tr("Loading %1…").arg(QFileInfo(path).fileName()));
    });
    connect(&m_chat.conversations, &ConversationController::errorOccurred, this, &MainWindow::showError);
    connect(&m_chat.turns, &TurnController::errorOccurred, this, &MainWindow::showError);
    // The speed shown is that of the newest reply on screen, whichever conversation or branch.
    auto showSpeed = [this] {
        const QList<MessageData>& branch = m_chat.conversations.branch();
        for (auto it = branch.rbegin(); it != branch.rend(); ++it)
            if (it->role == QLatin1String("assistant") && it->generatedTokens > 0) {
                m_speedLabel->setText(tr("%1 tokens/s").arg(it->tokensPerSecond, 0, 'f', 1));
                return;
            }
        m_speedLabel->setText(tr("– tokens/s"));
    };
    connect(&m_chat.conversations, &ConversationController::messageUpdated, this, showSpeed);
    connect(&m_chat.conversations, &ConversationController::branchChanged, this, showSpeed);
    if (!m_chat.conversations.storageWarning().isEmpty())
        QTimer::singleShot(0, this, [this] { showError(m_chat.conversations.storageWarning()); });
    connect(&m_models, &ModelController::errorOccurred, this, &MainWindow::showError);
    connect(&m_devices, &DeviceController::probed, this, &MainWindow::updateDeviceStatus);
    connect(&m_settings, &AppSettings::recentModelsChanged, this, &MainWindow::rebuildRecentMenu);
}

QStringList MainWindow::panelIds() const
{
    return {QStringLiteral("chat"),    QStringLiteral("conversations"), QStringLiteral("code"),
            QStringLiteral("attention"), QStringLiteral("routing"),    QStringLiteral("knowledge"),
            QStringLiteral("models"),  QStringLiteral("server")};
}

QWidget* MainWindow::panel(const QString& id) const
{
    if (id == QLatin1String("chat"))
        return m_chatPanel;
    return m_panels.value(id);
}

QDockWidget* MainWindow::dock(const QString& id) const { return m_docks.value(id); }

QWidget* MainWindow::showPanel(const QString& id)
{
    if (QDockWidget* d = dock(id)) {
        d->show();
        d->raise();
    }
    return panel(id);
}

void MainWindow::createPanels()
{
    m_chatPanel = new ChatPanel(m_chat.conversations, m_chat.turns, m_repository, this);
    m_chatPanel->setObjectName(QStringLiteral("chatPanel"));
    connect(m_chatPanel, &ChatPanel::openModelRequested, this, &MainWindow::openModelDialog);
    setCentralWidget(m_chatPanel);

    m_conversations = new ConversationList(m_chat.conversations, this);
    addPanelDock(QStringLiteral("conversations"), tr("Conversations"), m_conversations);
    auto* models = new ModelPanel(m_settings, m_models, this);
    connect(models, &ModelPanel::openRequested, this, &MainWindow::openModelDialog);
    addPanelDock(QStringLiteral("models"), tr("Models"), models);
    m_knowledgePanel = new KnowledgePanel(m_knowledge, this);
    addPanelDock(QStringLiteral("knowledge"), tr("Knowledge"), m_knowledgePanel);
    // The chat answers from the collections a conversation picks; its citations open here.
    auto offerCollections = [this] {
        QStringList names;
        for (const KnowledgeCollection& c : m_knowledge.collections())
            names.append(c.name);
        m_chatPanel->setCollections(names);
    };
    connect(&m_knowledge, &KnowledgeController::collectionsChanged, this, offerCollections);
    offerCollections();
    connect(&m_chat.traces, &TraceController::provenanceReady, m_chatPanel,
            [this](qint64 id, const QList<double>& shares, double, const QList<SentenceProvenance>& sentences) {
                m_chatPanel->showProvenance(id, shares, sentences);
            });
    connect(m_chatPanel, &ChatPanel::citationActivated, this, [this](const CitedSource& c) {
        m_knowledge.openPassage(c.path, c.page, c.byteStart, c.byteEnd, c.heading);
    });
    m_codePanel = new CodePanel(m_code, m_lint, m_repository, this);
    addPanelDock(QStringLiteral("code"), tr("Code"), m_codePanel);
    // Code travels both ways between the chat and the editor.
    connect(m_codePanel, &CodePanel::sendToChat, this, [this](const QString& text) {
        m_chatPanel->appendToInput(text);
        showPanel(QStringLiteral("chat"));
    });
    connect(&m_code, &CodeController::askedInChat, this, [this] { showPanel(QStringLiteral("chat")); });
    connect(m_chatPanel, &ChatPanel::openInCodePanel, this, [this](const QString& language, const QString& code) {
        m_codePanel->openCode(language, code);
        showPanel(QStringLiteral("code"));
    });
    // The local server serves the model the app has open (from the next start).
    m_serverPanel = new ServerPanel(m_server, this);
    m_serverPanel->setSettings(m_settings.server());
    connect(m_serverPanel, &ServerPanel::settingsChanged, &m_settings, &AppSettings::setServer);
    connect(&m_models, &ModelController::modelChanged, m_serverPanel, [this](const QString& path) {
        // A remote model cannot be served from here: the built-in one is, then.
        const bool local = !m_models.isBuiltin() && !m_models.isRemote();
        m_serverPanel->setModel(local ? path : QString(), local ? m_models.currentName() : QString());
    });
    addPanelDock(QStringLiteral("server"), tr("Server"), m_serverPanel);
    addPanelDock(QStringLiteral("attention"), tr("Attention"), new AttentionPanel(m_chat.conversations, m_chat.traces, this));
    addPanelDock(QStringLiteral("routing"), tr("Routing"), new RoutingPanel(m_chat.conversations, m_chat.traces, this));
    // Traces are made while either panel is open (shown or tabbed), and dropped when both close.
    for (const char* id : {"attention", "routing"}) {
        connect(dock(QString::fromLatin1(id))->toggleViewAction(), &QAction::toggled, this, &MainWindow::updateTraceWanted);
        // ...but only while one of them is on screen are new replies traced.
        connect(dock(QString::fromLatin1(id)), &QDockWidget::visibilityChanged, this,
                [this, id = QString::fromLatin1(id)](bool visible) {
                    m_traceDockOnScreen[id] = visible;
                    m_chat.traces.setPanelsVisible(m_traceDockOnScreen.value(QStringLiteral("attention"), false) ||
                                                   m_traceDockOnScreen.value(QStringLiteral("routing"), false));
                });
    }
}

MainWindow::~MainWindow()
{
    // Docks hide while they are destroyed; nothing may react to that any more.
    for (QDockWidget* d : std::as_const(m_docks)) {
        disconnect(d->toggleViewAction(), nullptr, this, nullptr);
        disconnect(d, nullptr, this, nullptr);
    }
}

void MainWindow::updateTraceWanted()
{
    const bool wanted = dock(QStringLiteral("attention"))->toggleViewAction()->isChecked() ||
                        dock(QStringLiteral("routing"))->toggleViewAction()->isChecked();
    m_chat.traces.setTraceWanted(wanted);
}

QDockWidget* MainWindow::addPanelDock(const QString& id, const QString& title, QWidget* panel)
{
    auto* d = new QDockWidget(title, this);
    d->setObjectName(id + QStringLiteral("Dock"));
    panel->setObjectName(id + QStringLiteral("Panel"));
    // A dock narrower (or shorter) than its panel scrolls it, so the panels' toolbars do not
    // set the window's minimum width: the window fits half a laptop screen.
    auto* scroll = new QScrollArea(d);
    scroll->setObjectName(id + QStringLiteral("Scroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(panel);
    d->setWidget(scroll);
    m_docks.insert(id, d);
    m_panels.insert(id, panel);
    return d;
}

// The default layout: models and knowledge on the left, the inspection panels on the right.
void MainWindow::placeDocks()
{
    addDockWidget(Qt::LeftDockWidgetArea, dock(QStringLiteral("conversations")));
    addDockWidget(Qt::LeftDockWidgetArea, dock(QStringLiteral("models")));
    addDockWidget(Qt::LeftDockWidgetArea, dock(QStringLiteral("knowledge")));
    tabifyDockWidget(dock(QStringLiteral("conversations")), dock(QStringLiteral("models")));
    addDockWidget(Qt::LeftDockWidgetArea, dock(QStringLiteral("server")));
    tabifyDockWidget(dock(QStringLiteral("models")), dock(QStringLiteral("knowledge")));
    tabifyDockWidget(dock(QStringLiteral("knowledge")), dock(QStringLiteral("server")));
    addDockWidget(Qt::RightDockWidgetArea, dock(QStringLiteral("code")));
    addDockWidget(Qt::RightDockWidgetArea, dock(QStringLiteral("attention")));
    addDockWidget(Qt::RightDockWidgetArea, dock(QStringLiteral("routing")));
    tabifyDockWidget(dock(QStringLiteral("code")), dock(QStringLiteral("attention")));
    tabifyDockWidget(dock(QStringLiteral("attention")), dock(QStringLiteral("routing")));
    for (QDockWidget* d : std::as_const(m_docks))
        d->show();
    dock(QStringLiteral("conversations"))->raise();
    dock(QStringLiteral("attention"))->raise();
    // At first each side is as wide as its widest panel wants (they scroll only when the user
    // makes a dock narrower than that).
    auto wanted = [this](std::initializer_list<const char*> ids, int atLeast) {
        int w = atLeast;
        for (const char* id : ids)
            w = std::max(w, m_panels.value(QLatin1String(id))->minimumSizeHint().width());
        return w;
    };
    resizeDocks({dock(QStringLiteral("conversations")), dock(QStringLiteral("attention"))},
                {wanted({"conversations", "models", "knowledge", "server"}, 300), wanted({"code", "attention", "routing"}, 420)},
                Qt::Horizontal);
}

void MainWindow::resetLayout() { restoreState(m_defaultLayout, kLayoutVersion); }

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* add = file->addAction(tr("&New Conversation"), this, [this] { m_chat.conversations.newConversation(); });
    add->setShortcut(QKeySequence::New);
    QAction* open = file->addAction(tr("&Open Model…"), this, &MainWindow::openModelDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(tr("Connect to &Remote Model…"), this, [this] {
        auto* dialog = new RemoteDialog(m_settings, m_models, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    file->addAction(tr("&Close Model"), &m_models, &ModelController::close);
    file->addSeparator();
    file->addAction(tr("&Import Conversation…"), m_conversations, &ConversationList::importFile);
    file->addAction(tr("&Export Conversation…"), m_conversations, &ConversationList::exportCurrent);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu* modelsMenu = menuBar()->addMenu(tr("&Models"));
    QAction* workbench = modelsMenu->addAction(tr("&Workbench…"), this, &MainWindow::openWorkbench);
    workbench->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));

    QMenu* chatMenu = menuBar()->addMenu(tr("&Chat"));
    m_findAction = chatMenu->addAction(tr("&Find in Conversations"), this, [this] {
        showPanel(QStringLiteral("conversations"));
        m_conversations->searchBox()->setFocus(Qt::ShortcutFocusReason);
        m_conversations->searchBox()->selectAll();
    });
    m_findAction->setShortcut(QKeySequence::Find);
    // Esc belongs to whatever has the focus elsewhere (the code editor's completions, dialogs).
    m_stopAction = chatMenu->addAction(tr("&Stop Generating"), &m_chat.turns, &TurnController::stop);
    m_stopAction->setShortcut(Qt::Key_Escape);
    m_stopAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_chatPanel->addAction(m_stopAction);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    m_fullScreenAction = view->addAction(tr("&Full Screen"));
    m_fullScreenAction->setCheckable(true);
    m_fullScreenAction->setShortcut(QKeySequence::FullScreen);
    connect(m_fullScreenAction, &QAction::toggled, this, [this](bool on) {
        setWindowState(on ? (windowState() | Qt::WindowFullScreen) : (windowState() & ~Qt::WindowFullScreen));
    });
    view->addSeparator();
    for (const QString& id : panelIds())
        if (QDockWidget* d = dock(id))
            view->addAction(d->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Reset Layout"), this, &MainWindow::resetLayout);

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    QAction* configure = settings->addAction(tr("&Configure Seekbench…"), this, [this] {
        QDialog* dialog = createSettingsDialog();
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    configure->setShortcut(QKeySequence::Preferences);
    configure->setMenuRole(QAction::PreferencesRole);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* guide = help->addAction(tr("&User Guide"), this, [this] {
        QDialog* dialog = createGuideDialog();
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    guide->setShortcut(QKeySequence::HelpContents);
    QAction* about = help->addAction(tr("&About Seekbench"), this, [this] {
        QDialog* dialog = createAboutDialog();
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    about->setMenuRole(QAction::AboutRole);
    help->addAction(tr("&Welcome"), this, [this] {
        QDialog* dialog = createWelcomeDialog();
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QDialog* dialog = createShortcutsDialog();
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

WorkbenchDialog* MainWindow::openWorkbench()
{
    if (!m_workbenchDialog)
        m_workbenchDialog = new WorkbenchDialog(m_workbench, this);
    m_workbenchDialog->show();
    m_workbenchDialog->raise();
    m_workbenchDialog->activateWindow();
    return m_workbenchDialog;
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings.recentModels();
    for (const QString& path : recent) {
        QAction* action = m_recentMenu->addAction(QFileInfo(path).fileName(), this,
                                                  [this, path] { m_models.open(path); });
        action->setToolTip(path);
    }
    if (!recent.isEmpty())
        m_recentMenu->addSeparator();
    QAction* clear = m_recentMenu->addAction(tr("Clear List"), &m_settings,
                                             &AppSettings::clearRecentModels);
    clear->setEnabled(!recent.isEmpty());
}

void MainWindow::createStatusBar()
{
    m_modelLabel = new QLabel(this);
    m_deviceLabel = new QLabel(tr("Probing devices…"), this);
    m_speedLabel = new QLabel(this);
    m_modelLabel->setObjectName(QStringLiteral("modelStatus"));
    m_deviceLabel->setObjectName(QStringLiteral("deviceStatus"));
    m_speedLabel->setObjectName(QStringLiteral("speedStatus"));
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_deviceLabel);
    statusBar()->addPermanentWidget(m_speedLabel);
    m_speedLabel->setText(tr("– tokens/s"));
    m_speedLabel->setToolTip(tr("Generation speed of the last reply"));
    updateModelStatus();
}

void MainWindow::updateModelStatus()
{
    const QString name = m_models.currentName();
    m_modelLabel->setText(name.isEmpty() ? tr("No model") : tr("Model: %1").arg(name));
    m_modelLabel->setToolTip(m_models.currentPath());
}

void MainWindow::updateDeviceStatus()
{
    // Where the open model runs, and why not on the GPU when it was asked to be there.
    if (!m_models.currentPath().isEmpty()) {
        const LoadedModel& m = m_models.model();
        m_deviceLabel->setText(tr("Runs on %1").arg(m.device));
        m_deviceLabel->setToolTip(m.deviceNote.isEmpty() ? m_devices.cudaSummary() : m.deviceNote);
        return;
    }
    // Say plainly when there is no GPU, so nobody wonders why it is slow.
    if (!m_devices.hasResult())
        return;
    if (m_devices.cudaAvailable()) {
        m_deviceLabel->setText(tr("GPU: %1").arg(m_devices.cudaSummary()));
        m_deviceLabel->setToolTip(m_devices.cpuSummary());
    } else {
        m_deviceLabel->setText(tr("%1 · no GPU").arg(m_devices.cpuSummary()));
        m_deviceLabel->setToolTip(m_devices.cudaSummary());
    }
}

void MainWindow::openModelDialog()
{
    auto* dialog = new QFileDialog(this, tr("Open Model"), QString(),
                                   tr("GGUF models (*.gguf);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, &m_models, &ModelController::open);
    dialog->open();
}

QDialog* MainWindow::createSettingsDialog()
{
    auto* dialog = new SettingsDialog(m_settings, this);
    dialog->setObjectName(QStringLiteral("settings"));
    return dialog;
}

QDialog* MainWindow::createAboutDialog()
{
    auto* dialog = new AboutDialog(m_devices, this);
    dialog->setObjectName(QStringLiteral("about"));
    return dialog;
}

QDialog* MainWindow::createWelcomeDialog()
{
    auto* dialog = new WelcomeDialog(m_settings.dataDir(), this);
    dialog->setObjectName(QStringLiteral("welcome"));
    connect(dialog, &WelcomeDialog::openModelRequested, this, &MainWindow::openModelDialog);
    return dialog;
}

QDialog* MainWindow::showWelcomeIfFirstRun()
{
    if (m_settings.welcomeShown())
        return nullptr;
    m_settings.setWelcomeShown(true);
    QDialog* dialog = createWelcomeDialog();
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

QDialog* MainWindow::createGuideDialog() { return new GuideDialog(this); }

QDialog* MainWindow::createShortcutsDialog()
{
    QList<QPair<QString, QString>> rows; // what, keys
    const std::function<void(const QMenu*)> collect = [&](const QMenu* menu) {
        for (const QAction* a : menu->actions()) {
            if (a->menu())
                collect(a->menu());
            else if (!a->shortcut().isEmpty())
                rows.append({QString(a->text()).remove(QLatin1Char('&')),
                             a->shortcut().toString(QKeySequence::NativeText)});
        }
    };
    for (const QAction* top : menuBar()->actions())
        if (top->menu())
            collect(top->menu());
    rows.append({tr("Send the message (in the chat's input)"), tr("Enter or Ctrl+Enter")});
    rows.append({tr("A new line in the message"), tr("Shift+Enter")});
    rows.append({tr("Move between cells of a map or thumbnails (Attention, Routing)"),
                 tr("Arrows, Page Up/Down, Home/End (Ctrl: to the edge)")});
    rows.append({tr("Open the current cell or thumbnail"), tr("Enter or Space")});
    rows.append({tr("Zoom a map in, out, to fit"), tr("+, −, 0")});
    rows.append({tr("Move to the next panel or control"), tr("Tab, Shift+Tab")});

    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("shortcuts"));
    dialog->setWindowTitle(tr("Keyboard Shortcuts"));
    auto* table = new QTableWidget(static_cast<int>(rows.size()), 2, dialog);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({tr("Action"), tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int r = 0; r < rows.size(); ++r) {
        table->setItem(r, 0, new QTableWidgetItem(rows[r].first));
        table->setItem(r, 1, new QTableWidgetItem(rows[r].second));
    }
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(table);
    layout->addWidget(buttons);
    dialog->resize(480, 420);
    return dialog;
}

void MainWindow::showError(const QString& message)
{
    statusBar()->showMessage(message, 10000);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Seekbench"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::changeEvent(QEvent* event)
{
    // Full screen may also come and go by the window manager's keys or a double click: the
    // menu's check mark follows without toggling the state back.
    if (event->type() == QEvent::WindowStateChange && m_fullScreenAction) {
        const QSignalBlocker block(m_fullScreenAction);
        m_fullScreenAction->setChecked(isFullScreen());
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_settings.setWindowLayout(saveGeometry(), saveState(kLayoutVersion));
    m_settings.sync();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && isGgufUrl(urls.front()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && isGgufUrl(urls.front())) {
        m_models.open(urls.front().toLocalFile());
        event->acceptProposedAction();
    }
}
