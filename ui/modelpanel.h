// The Models panel: the current model, an Open button, and the recent models (double-click
// to open). The model facts and load progress join it when the engine worker does.
#pragma once

#include <QWidget>

class AppSettings;
class ModelController;
class QLabel;
class QListView;
class QStandardItemModel;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    ModelPanel(AppSettings& settings, ModelController& models, QWidget* parent = nullptr);

    QStandardItemModel* recentModel() const { return m_recent; }

signals:
    void openRequested();   // the user wants a file dialog

private:
    void refreshRecent();
    void refreshCurrent();

    AppSettings& m_settings;
    ModelController& m_models;
    QLabel* m_current;
    QListView* m_view;
    QStandardItemModel* m_recent;
};
