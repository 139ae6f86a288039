// A conversation's own settings: its system prompt and how replies are sampled.
#pragma once

#include "ui/controllers/chattypes.h"

#include <QDialog>

class QDoubleSpinBox;
class QPlainTextEdit;
class QSpinBox;

class ChatSettingsDialog : public QDialog {
    Q_OBJECT
public:
    ChatSettingsDialog(const QString& systemPrompt, const SamplingSettings& sampling, QWidget* parent = nullptr);

    QString systemPrompt() const;
    SamplingSettings sampling() const;

private:
    QPlainTextEdit* m_system;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_topK;
    QDoubleSpinBox* m_topP;
    QDoubleSpinBox* m_minP;
    QDoubleSpinBox* m_repeat;
    QSpinBox* m_maxTokens;
    QSpinBox* m_seed;
};
