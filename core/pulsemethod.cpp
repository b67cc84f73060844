#include "pulsemethod.h"

namespace rppg {

void registerClassicalMethods(MethodRegistry &registry);   // classicalmethods.cpp

MethodRegistry::MethodRegistry()
{
    registerClassicalMethods(*this);
}

MethodRegistry &MethodRegistry::instance()
{
    static MethodRegistry registry;
    return registry;
}

void MethodRegistry::add(const MethodInfo &info)
{
    for (MethodInfo &m : m_methods) {
        if (m.name == info.name) {
            m = info;
            return;
        }
    }
    m_methods.push_back(info);
}

QStringList MethodRegistry::names() const
{
    QStringList list;
    for (const MethodInfo &m : m_methods)
        list << m.name;
    return list;
}

const MethodInfo *MethodRegistry::find(const QString &name) const
{
    const QString key = name.trimmed().toLower();
    for (const MethodInfo &m : m_methods)
        if (m.name == key)
            return &m;
    return nullptr;
}

Result<std::unique_ptr<PulseMethod>> MethodRegistry::create(const QString &name,
                                                            const MethodOptions &options) const
{
    const MethodInfo *info = find(name);
    if (!info)
        return Error{ErrorCode::Usage, QStringLiteral("unknown method '%1' (available: %2)")
                                           .arg(name, names().join(QStringLiteral(", ")))};
    return info->create(options);
}

} // namespace rppg
