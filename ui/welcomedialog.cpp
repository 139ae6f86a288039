// WelcomeDialog: one rich-text label, "Open a Model…" and "Start Chatting".
#include "welcomedialog.h"

#include "aboutdialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>

WelcomeDialog::WelcomeDialog(const QString& dataDir, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Welcome to Seekbench"));
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("welcomeText"));
    m_text->setTextFormat(Qt::RichText);
    m_text->setWordWrap(true);
    m_text->setOpenExternalLinks(true);
    m_text->setTextInteractionFlags(Qt::TextBrowserInteraction);
    const QString paragraphs[] = {
        tr("Seekbench runs language models on this computer: what you type stays here. Beside "
           "the chat it shows the model at work: which words each attention head looks at, "
           "and which experts the router picks for each token."),
        tr("Until you open a model of your own, Seekbench uses its own: a 7 M-parameter "
           "demonstration model trained for this project. It shows how every panel works, but it "
           "cannot give real answers."),
        tr("For real answers, open a GGUF model: <b>File › Open Model…</b>, drag the file onto "
           "this window, or double-click it in your file manager. GGUF files are published on "
           "<a href=\"https://huggingface.co/models?library=gguf\">Hugging Face</a>; a 1.5–8 B "
           "model in Q4_K_M runs well on most computers. Seekbench never downloads anything by "
           "itself."),
        tr("Your conversations, knowledge store and settings are kept in %1.")
            .arg(QStringLiteral("<code>%1</code>").arg(QDir::toNativeSeparators(dataDir).toHtmlEscaped())),
        tr("Help › Welcome shows this again; Help › Keyboard Shortcuts lists the shortcuts."),
    };
    QString html = QStringLiteral("<h2>%1</h2>").arg(tr("Welcome to Seekbench"));
    for (const QString& p : paragraphs)
        html += QStringLiteral("<p>%1</p>").arg(p);
    m_text->setText(html);
    m_text->setMinimumWidth(460);

    auto* buttons = new QDialogButtonBox(this);
    m_open = buttons->addButton(tr("&Open a Model…"), QDialogButtonBox::ActionRole);
    QPushButton* start = buttons->addButton(tr("&Start Chatting"), QDialogButtonBox::AcceptRole);
    start->setDefault(true);
    connect(m_open, &QPushButton::clicked, this, [this] {
        accept();
        emit openModelRequested();
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layOutBesideIcon(this, m_text, buttons);
}
