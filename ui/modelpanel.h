// The Models panel: the loaded model's facts (architecture, parameters, format, context,
// chat template), a progress bar while one loads, Open/Unload, and the recent models
// (double-click to open).
#pragma once

#include <QWidget>

class AppSettings;
class ModelController;
class QLabel;
class QListView;
class QProgressBar;
class QPushButton;
class QStandardItemModel;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    ModelPanel(AppSettings& settings, ModelController& models, QWidget* parent = nullptr);

    QStandardItemModel* recentModel() const { return m_recent; }
    QLabel* factsLabel() const { return m_facts; }
    QProgressBar* progressBar() const { return m_progress; }

signals:
    void openRequested();   // the user wants a file dialog

private:
    void refreshRecent();
    void refreshCurrent();

    AppSettings& m_settings;
    ModelController& m_models;
    QLabel* m_current;
    QLabel* m_facts;
    QProgressBar* m_progress;
    QPushButton* m_unload;
    QListView* m_view;
    QStandardItemModel* m_recent;
};
