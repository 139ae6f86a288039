// Model › Connect to Remote Model: the address of an OpenAI-compatible server (vLLM, SGLang,
// llama-server, seekbench-server), its API key, and one of the models it lists; Connect
// hands them to ModelController. The key is used for this connection only.
#pragma once

#include <QDialog>

class AppSettings;
class ModelController;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

class RemoteDialog : public QDialog {
    Q_OBJECT
public:
    RemoteDialog(AppSettings& settings, ModelController& models, QWidget* parent = nullptr);

    QLineEdit* urlEdit() const { return m_url; }
    QLineEdit* keyEdit() const { return m_key; }
    QComboBox* modelBox() const { return m_model; }
    QPushButton* listButton() const { return m_list; }
    QLabel* statusLabel() const { return m_status; }

    void accept() override; // connects with what the fields say

private:
    AppSettings& m_settings;
    ModelController& m_models;
    QLineEdit* m_url;
    QLineEdit* m_key;
    QComboBox* m_model;
    QPushButton* m_list;
    QLabel* m_status;
};
