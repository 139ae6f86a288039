// GuideDialog: QTextBrowser reads the Markdown pages from the resource; pictures wider than
// the page are scaled down when loaded, so no page needs a horizontal scroll bar.
#include "guidedialog.h"

#include "ui/controllers/i18n.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QImage>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

QVariant GuideBrowser::loadResource(int type, const QUrl& name)
{
    const QVariant loaded = QTextBrowser::loadResource(type, name);
    if (type != QTextDocument::ImageResource)
        return loaded;
    QImage image = qvariant_cast<QImage>(loaded);
    if (image.isNull())
        image.loadFromData(loaded.toByteArray());
    const int room = std::max(200, viewport()->width() - 2 * static_cast<int>(document()->documentMargin()) - 8);
    if (!image.isNull() && image.width() > room)
        image = image.scaledToWidth(room, Qt::SmoothTransformation);
    return image;
}

QUrl GuideDialog::home()
{
    // The guide in the app's language where there is one (resources/guide/zh_CN/), else English.
    const QString translated = QStringLiteral(":/guide/%1/index.md").arg(installedLanguage());
    return QUrl(QStringLiteral("qrc") + (QFile::exists(translated) ? translated : QStringLiteral(":/guide/index.md")));
}

GuideDialog::GuideDialog(QWidget* parent) : QDialog(parent), m_browser(new GuideBrowser(this))
{
    setObjectName(QStringLiteral("guide"));
    setWindowTitle(tr("Seekbench User Guide"));
    m_browser->setAccessibleName(tr("User guide"));
    m_browser->setOpenExternalLinks(true);
    m_browser->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    resize(900, 700); // before the first page, so its pictures are scaled to this width
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* back = buttons->addButton(tr("&Back"), QDialogButtonBox::ActionRole);
    QPushButton* contents = buttons->addButton(tr("&Contents"), QDialogButtonBox::ActionRole);
    back->setEnabled(false);
    connect(back, &QPushButton::clicked, m_browser, &QTextBrowser::backward);
    connect(contents, &QPushButton::clicked, m_browser, &QTextBrowser::home);
    connect(m_browser, &QTextBrowser::backwardAvailable, back, &QPushButton::setEnabled);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);
    layout->addWidget(buttons);
    m_browser->setSource(home(), QTextDocument::MarkdownResource);
}
