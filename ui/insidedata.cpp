// AttentionData and RoutingData: indexes over the trace built once, so that every lookup a
// view makes while painting or hovering is O(1).
#include "insidedata.h"

#include "colormap.h"

#include "engine/trace.h"

#include <algorithm>
#include <cmath>

namespace {

// How many bytes a UTF-8 sequence starting with `lead` has; 0 for a byte no sequence starts with.
std::size_t utf8Length(unsigned char lead)
{
    return lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 0;
}

// A token of a byte-level vocabulary may be part of a character (a Chinese character is often
// two tokens): its bytes are shown as \xE4\xB8 rather than as replacement characters.
QString bytesShown(const std::string& bytes)
{
    QString out;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char b = p[i];
        const std::size_t len = utf8Length(b);
        bool valid = len > 0 && i + len <= n;
        for (std::size_t k = 1; valid && k < len; ++k)
            valid = (p[i + k] & 0xc0) == 0x80;
        const QString decoded = valid ? QString::fromUtf8(bytes.data() + i, static_cast<qsizetype>(len)) : QString();
        // (Qt decodes overlong forms and surrogates to U+FFFD; U+FFFD itself is a character.)
        if (valid && (!decoded.contains(QChar::ReplacementCharacter) || bytes.compare(i, len, "\xef\xbf\xbd") == 0)) {
            out += decoded;
            i += len;
        } else {
            out += QStringLiteral("\\x") + QStringLiteral("%1").arg(b, 2, 16, QLatin1Char('0')).toUpper();
            ++i;
        }
    }
    return out;
}

// How many bytes at the end of `s` start a character that is not finished there.
std::size_t unfinishedTail(const std::string& s)
{
    for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
        const auto b = static_cast<unsigned char>(s[s.size() - back]);
        if ((b & 0xc0) == 0x80)
            continue; // a continuation byte: look further back for its lead
        const std::size_t len = utf8Length(b);
        return len > back ? back : 0; // an invalid lead (0) or a complete sequence: nothing unfinished
    }
    return 0;
}

QString shownPiece(const seekbench::Trace& t, int token)
{
    if (token < 0 || token >= static_cast<int>(t.pieces.size()))
        return QString();
    QString s = bytesShown(t.pieces[static_cast<std::size_t>(token)]);
    s.replace(QLatin1Char('\n'), QStringLiteral("\\n")).replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    if (!s.isEmpty() && s.trimmed().isEmpty())
        s.replace(QLatin1Char(' '), QChar(0x2423)); // ␣: a token that is only spaces
    return s;
}

QString csvField(const QString& s)
{
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

} // namespace

// ---- AttentionData ----

AttentionData::AttentionData(const TraceResult& result) : m_trace(result.trace), m_messageStart(result.messageStart)
{
    if (!m_trace)
        return;
    const seekbench::Trace& t = *m_trace;
    m_tokens = static_cast<int>(t.tokens.size());
    m_heads = t.n_heads;
    m_nLayers = t.n_layers;
    m_maps.assign(static_cast<std::size_t>(std::max(0, m_nLayers * m_heads)), nullptr);
    for (const seekbench::AttentionMap& m : t.attention) {
        if (m.layer < 0 || m.layer >= m_nLayers || m.head < 0 || m.head >= m_heads ||
            static_cast<int>(m.probs.size()) != m_tokens)
            continue; // not a full map of this trace: not shown
        m_maps[static_cast<std::size_t>(m.layer * m_heads + m.head)] = &m;
        m_entropy.assign(m_maps.size(), std::nan(""));
        if (!m_layers.contains(m.layer))
            m_layers.append(m.layer);
    }
    std::sort(m_layers.begin(), m_layers.end());
}

QString AttentionData::piece(int token) const { return m_trace ? shownPiece(*m_trace, token) : QString(); }

const seekbench::AttentionMap* AttentionData::map(int layer, int head) const
{
    if (layer < 0 || layer >= m_nLayers || head < 0 || head >= m_heads)
        return nullptr;
    return m_maps[static_cast<std::size_t>(layer * m_heads + head)];
}

float AttentionData::weight(int layer, int head, int q, int k) const
{
    if (q < 0 || q >= m_tokens || k < 0 || k > q)
        return 0.0f;
    auto one = [&](int h) -> float {
        const seekbench::AttentionMap* m = map(layer, h);
        if (!m)
            return 0.0f;
        const auto& row = m->probs[static_cast<std::size_t>(q)];
        return k < static_cast<int>(row.size()) ? row[static_cast<std::size_t>(k)] : 0.0f;
    };
    if (head >= 0)
        return one(head);
    float acc = 0;
    for (int h = 0; h < m_heads; ++h)
        acc = head == kMax ? std::max(acc, one(h)) : acc + one(h);
    return head == kMax || m_heads == 0 ? acc : acc / static_cast<float>(m_heads);
}

QImage AttentionData::image(int layer, int head) const
{
    if (m_tokens == 0)
        return {};
    QImage img(m_tokens, m_tokens, QImage::Format_ARGB32);
    img.fill(Qt::transparent);
    std::vector<float> row(static_cast<std::size_t>(m_tokens));
    for (int q = 0; q < m_tokens; ++q) {
        std::fill(row.begin(), row.begin() + q + 1, 0.0f);
        int used = 0;
        for (int h = (head >= 0 ? head : 0); h < (head >= 0 ? head + 1 : m_heads); ++h) {
            const seekbench::AttentionMap* m = map(layer, h);
            if (!m)
                continue;
            ++used;
            const auto& p = m->probs[static_cast<std::size_t>(q)];
            const int n = std::min(q + 1, static_cast<int>(p.size()));
            for (int k = 0; k < n; ++k)
                row[static_cast<std::size_t>(k)] = head == kMax ? std::max(row[static_cast<std::size_t>(k)], p[static_cast<std::size_t>(k)])
                                                                : row[static_cast<std::size_t>(k)] + p[static_cast<std::size_t>(k)];
        }
        if (used == 0)
            continue;
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(q));
        const float scale = head == kMean ? 1.0f / static_cast<float>(used) : 1.0f;
        for (int k = 0; k <= q; ++k)
            line[k] = colormap::attention(row[static_cast<std::size_t>(k)] * scale);
    }
    return img;
}

QImage AttentionData::thumbnail(int layer, int head, int size) const
{
    QImage img(size, size, QImage::Format_ARGB32);
    img.fill(Qt::transparent);
    if (m_tokens == 0 || !map(layer, head))
        return img;
    const auto& probs = map(layer, head)->probs;
    // Each pixel: the largest of up to 4 x 4 samples spread over its block.
    const double block = double(m_tokens) / size;
    const int samples = std::clamp(static_cast<int>(std::ceil(block)), 1, 4);
    for (int y = 0; y < size; ++y) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x <= y; ++x) {
            float best = 0;
            for (int sy = 0; sy < samples; ++sy) {
                const int q = std::min(m_tokens - 1, static_cast<int>((y + (sy + 0.5) / samples) * block));
                const auto& row = probs[static_cast<std::size_t>(q)];
                for (int sx = 0; sx < samples; ++sx) {
                    const int k = static_cast<int>((x + (sx + 0.5) / samples) * block);
                    if (k <= q && k < static_cast<int>(row.size()))
                        best = std::max(best, row[static_cast<std::size_t>(k)]);
                }
            }
            line[x] = colormap::attention(best);
        }
    }
    return img;
}

double AttentionData::entropy(int layer, int head) const
{
    const seekbench::AttentionMap* m = map(layer, head);
    if (!m || m_tokens == 0)
        return 0;
    double& cached = m_entropy[static_cast<std::size_t>(layer * m_heads + head)];
    if (std::isnan(cached))
        cached = seekbench::mean_entropy_bits(*m);
    return cached;
}

QString AttentionData::csv(int layer, int head) const
{
    QString out = QStringLiteral("query\\key");
    for (int k = 0; k < m_tokens; ++k)
        out += QLatin1Char(',') + csvField(piece(k));
    out += QLatin1Char('\n');
    for (int q = 0; q < m_tokens; ++q) {
        out += csvField(piece(q));
        for (int k = 0; k < m_tokens; ++k)
            out += QLatin1Char(',') + (k <= q ? QString::number(weight(layer, head, q, k), 'g', 6) : QString());
        out += QLatin1Char('\n');
    }
    return out;
}

// ---- RoutingData ----

RoutingData::RoutingData(const TraceResult& result) : m_trace(result.trace), m_messageStart(result.messageStart)
{
    if (!m_trace)
        return;
    const seekbench::Trace& t = *m_trace;
    m_tokens = static_cast<int>(t.tokens.size());
    m_experts = t.n_experts;
    m_used = t.n_experts_used;
    m_nLayers = t.n_layers;
    m_messageStart = std::clamp(m_messageStart, 0, m_tokens);
    m_records.assign(static_cast<std::size_t>(std::max(0, m_nLayers * m_tokens)), nullptr);
    const int first = t.positions.empty() ? 0 : t.positions.front();
    for (const seekbench::RoutingRecord& r : t.routing) {
        const int token = r.pos - first;
        if (r.layer < 0 || r.layer >= m_nLayers || token < 0 || token >= m_tokens)
            continue;
        m_records[static_cast<std::size_t>(r.layer * m_tokens + token)] = &r;
        if (!m_moeLayers.contains(r.layer))
            m_moeLayers.append(r.layer);
    }
    std::sort(m_moeLayers.begin(), m_moeLayers.end());
}

QString RoutingData::piece(int token) const { return m_trace ? shownPiece(*m_trace, token) : QString(); }

const seekbench::RoutingRecord* RoutingData::record(int layer, int token) const
{
    if (layer < 0 || layer >= m_nLayers || token < 0 || token >= m_tokens)
        return nullptr;
    return m_records[static_cast<std::size_t>(layer * m_tokens + token)];
}

int RoutingData::topExpert(int layer, int token) const
{
    const seekbench::RoutingRecord* r = record(layer, token);
    return r && !r->experts.empty() ? r->experts.front() : -1;
}

QString RoutingData::describe(int layer, int token) const
{
    const seekbench::RoutingRecord* r = record(layer, token);
    if (!r)
        return QString();
    QStringList chosen;
    for (std::size_t i = 0; i < r->experts.size(); ++i)
        chosen << tr("expert %1: weight %2")
                      .arg(r->experts[i])
                      .arg(i < r->weights.size() ? r->weights[i] : 0.0f, 0, 'f', 3);
    QString text = tr("token %1 “%2”, layer %3").arg(token).arg(piece(token)).arg(layer) +
                   QLatin1Char('\n') + chosen.join(QLatin1Char('\n'));
    if (r->shared_gate >= 0)
        text += QLatin1Char('\n') + tr("shared expert gate: %1").arg(r->shared_gate, 0, 'f', 3);
    return text;
}

std::vector<double> RoutingData::relativeLoad(int layer, Scope scope) const
{
    return m_trace ? seekbench::expert_load(*m_trace, layer, first(scope)).relative(m_used) : std::vector<double>{};
}

double RoutingData::loadEntropy(int layer, Scope scope) const
{
    return m_trace ? seekbench::expert_load(*m_trace, layer, first(scope)).entropy_bits() : 0.0;
}

QImage RoutingData::tokenGrid(Scope scope) const
{
    const int from = first(scope), rows = m_tokens - from;
    if (rows <= 0 || m_moeLayers.isEmpty())
        return {};
    QImage img(static_cast<int>(m_moeLayers.size()), rows, QImage::Format_ARGB32);
    for (int y = 0; y < rows; ++y) {
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int x = 0; x < m_moeLayers.size(); ++x)
            line[x] = colormap::expert(topExpert(m_moeLayers[x], from + y)).rgb();
    }
    return img;
}

QImage RoutingData::loadImage(Scope scope) const
{
    if (m_moeLayers.isEmpty() || m_experts <= 0)
        return {};
    QImage img(m_experts, static_cast<int>(m_moeLayers.size()), QImage::Format_ARGB32);
    for (int y = 0; y < m_moeLayers.size(); ++y) {
        const std::vector<double> load = relativeLoad(m_moeLayers[y], scope);
        auto* line = reinterpret_cast<QRgb*>(img.scanLine(y));
        for (int e = 0; e < m_experts; ++e)
            line[e] = colormap::diverging(load[static_cast<std::size_t>(e)]);
    }
    return img;
}

QList<RoutingData::Run> RoutingData::tintRuns(int layer, Scope scope) const
{
    // Runs of bytes first; a character split between two runs (its tokens went to different
    // experts) is shown whole, in the run of the token that finishes it.
    std::vector<std::pair<std::string, int>> bytes;
    for (int token = first(scope); token < m_tokens; ++token) {
        const int e = topExpert(layer, token);
        if (bytes.empty() || bytes.back().second != e)
            bytes.push_back({std::string(), e});
        bytes.back().first += m_trace->pieces[static_cast<std::size_t>(token)];
    }
    for (std::size_t i = 0; i + 1 < bytes.size(); ++i)
        if (const std::size_t tail = unfinishedTail(bytes[i].first)) {
            bytes[i + 1].first.insert(0, bytes[i].first, bytes[i].first.size() - tail, tail);
            bytes[i].first.erase(bytes[i].first.size() - tail);
        }
    QList<Run> runs;
    for (const auto& [text, expert] : bytes)
        if (!text.empty())
            runs.append({bytesShown(text), expert});
    return runs;
}

QColor RoutingData::tint(int expert)
{
    if (expert < 0)
        return Qt::transparent;
    const QColor c = colormap::expert(expert); // lightened so black text stays readable
    return QColor::fromRgbF(0.55f * c.redF() + 0.45f, 0.55f * c.greenF() + 0.45f, 0.55f * c.blueF() + 0.45f);
}

QString RoutingData::loadCsv(Scope scope) const
{
    QString out = QStringLiteral("layer");
    for (int e = 0; e < m_experts; ++e)
        out += QStringLiteral(",expert %1").arg(e);
    out += QStringLiteral(",entropy bits\n");
    for (int layer : m_moeLayers) {
        out += QString::number(layer);
        for (double l : relativeLoad(layer, scope))
            out += QLatin1Char(',') + QString::number(l, 'g', 6);
        out += QLatin1Char(',') + QString::number(loadEntropy(layer, scope), 'g', 6) + QLatin1Char('\n');
    }
    return out;
}
