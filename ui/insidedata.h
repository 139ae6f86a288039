// What the attention and routing panels show, computed from an engine trace: plain
// classes with no widgets, so that every number and colour can be checked against a
// hand-made trace.
#pragma once

#include "ui/controllers/chattypes.h"

#include <QCoreApplication>
#include <QImage>
#include <QList>
#include <QString>
#include <vector>

namespace seekbench {
struct AttentionMap;
struct RoutingRecord;
} // namespace seekbench

// Attention probabilities of one traced message, by layer and head.
class AttentionData {
public:
    static constexpr int kMean = -1, kMax = -2; // "heads" that aggregate all heads

    AttentionData() = default;
    explicit AttentionData(const TraceResult& result);

    bool isEmpty() const { return m_tokens == 0 || m_layers.isEmpty(); }
    int tokens() const { return m_tokens; }
    int heads() const { return m_heads; }
    QList<int> layers() const { return m_layers; } // the traced ones
    bool hasLayer(int layer) const { return m_layers.contains(layer); }
    QString piece(int token) const;                 // its text, shown escaped
    int messageStart() const { return m_messageStart; }

    // How much query token q attends to key token k (0 when k > q) in head `head` of
    // `layer`, or the mean/max over heads.
    float weight(int layer, int head, int q, int k) const;
    // The token x token map as colours (rows: queries, columns: keys); future keys are
    // left transparent.
    QImage image(int layer, int head) const;
    // A size x size preview (each pixel the largest weight of its block).
    QImage thumbnail(int layer, int head, int size) const;
    // Mean over queries of the entropy (bits) of a query's attention.
    double entropy(int layer, int head) const;
    // Comma-separated, a header row of key tokens and a column of query tokens.
    QString csv(int layer, int head) const;

private:
    const seekbench::AttentionMap* map(int layer, int head) const;

    TracePtr m_trace;
    int m_tokens = 0, m_heads = 0, m_messageStart = 0;
    QList<int> m_layers;
    std::vector<const seekbench::AttentionMap*> m_maps; // [layer * heads + head], null if absent
    mutable std::vector<double> m_entropy;              // same index, NaN until computed
    int m_nLayers = 0;
};

// Router decisions of one traced message, by MoE layer and token.
class RoutingData {
    Q_DECLARE_TR_FUNCTIONS(RoutingData)
public:
    enum class Scope { Message, Conversation };

    RoutingData() = default;
    explicit RoutingData(const TraceResult& result);

    bool hasExperts() const { return m_experts > 0; }
    bool isEmpty() const { return m_moeLayers.isEmpty() || m_tokens == 0; }
    int tokens() const { return m_tokens; }
    int experts() const { return m_experts; }
    int expertsUsed() const { return m_used; }
    QList<int> moeLayers() const { return m_moeLayers; }
    QString piece(int token) const;
    int messageStart() const { return m_messageStart; }
    int first(Scope scope) const { return scope == Scope::Message ? m_messageStart : 0; }

    const seekbench::RoutingRecord* record(int layer, int token) const; // null if none
    int topExpert(int layer, int token) const;                          // -1 if none
    // Chosen experts, gate weights and the shared-expert gate, for a tooltip.
    QString describe(int layer, int token) const;
    // How often each expert of `layer` was chosen over the tokens in scope, divided by
    // what a perfectly balanced router would give (tokens x k / experts).
    std::vector<double> relativeLoad(int layer, Scope scope) const;
    // Entropy (bits) of the layer's load distribution; log2(experts) is perfectly even.
    double loadEntropy(int layer, Scope scope) const;

    QImage tokenGrid(Scope scope) const;   // tokens (rows) x MoE layers (columns), top expert
    QImage loadImage(Scope scope) const;   // MoE layers (rows) x experts (columns), diverging
    // The text in runs of tokens with the same top expert in `layer` (-1: none).
    struct Run {
        QString text;
        int expert = -1;
    };
    QList<Run> tintRuns(int layer, Scope scope) const;
    static QColor tint(int expert); // the background for a run
    QString loadCsv(Scope scope) const;

private:
    TracePtr m_trace;
    int m_tokens = 0, m_experts = 0, m_used = 0, m_messageStart = 0, m_nLayers = 0;
    QList<int> m_moeLayers;
    std::vector<const seekbench::RoutingRecord*> m_records; // [layer * tokens + token]
};
