// Network and peer errors in words a producer acts on (#13): "ECONNREFUSED 127.0.0.1:4455" becomes what it means and
// what to do, Chinese first; the original stays in brackets for whoever debugs it. Codes: Node's system errors
// (https://nodejs.org/api/errors.html#common-system-errors) and the browser's fetch TypeError.
const RULES: { test: RegExp; zh: string; en: string }[] = [
  { test: /Failed to fetch|NetworkError|Load failed|fetch failed/i, zh: '连不上 LiveCue 中控：程序可能已关闭或网络断开，恢复连接后再试', en: 'Cannot reach the LiveCue core: it may be closed or the network is down; try again once reconnected' },
  { test: /ECONNREFUSED/, zh: '对方拒绝连接：对方程序没有运行，或地址/端口填错了', en: 'Connection refused: the other program is not running, or the address/port is wrong' },
  { test: /ETIMEDOUT|timed? ?out|TimeoutError|aborted due to timeout/i, zh: '连接超时：对方没有及时响应，检查网络或稍后重试', en: 'Timed out: no answer in time; check the network or try again later' },
  { test: /ENOTFOUND|EAI_AGAIN/, zh: '找不到这个地址：域名无法解析，检查地址拼写和网络', en: 'Address not found: the host name does not resolve; check the spelling and the network' },
  { test: /ECONNRESET|EPIPE|socket hang up/i, zh: '连接被对方中断：稍后重试', en: 'The connection was cut by the other side; try again' },
  { test: /EHOSTUNREACH|ENETUNREACH/, zh: '网络不可达：检查本机网络或对方是否在同一局域网', en: 'Network unreachable: check this computer’s network, or whether the other device is on the same LAN' },
  { test: /certificate|CERT_|SSL|TLS/i, zh: '安全证书无效：对方的 https 证书不被信任', en: 'Invalid certificate: the other side’s https certificate is not trusted' },
  { test: /Executable doesn't exist|browserType\.launch|Failed to launch|spawn .* ENOENT/i, zh: '无法启动浏览器：找不到 Chrome/Edge，请安装或在设置里指定路径', en: 'Cannot start the browser: Chrome/Edge was not found; install it or set its path in Settings' },
];

/** The explanation for a raw error message, or null when it is not a network/peer error we know. */
export function explainNetworkError(message: string): { zh: string; en: string } | null {
  const rule = RULES.find((r) => r.test.test(message));
  return rule ? { zh: rule.zh, en: rule.en } : null;
}

const CJK = /[\u3400-\u9fff]/;

/**
 * The core answers "中文 / English"; the UI shows the half in its language. A message that is not in that shape (a
 * URL, a single language) is shown whole.
 */
export function inLanguage(message: string, lang: 'zh' | 'en'): string {
  const i = message.indexOf(' / ');
  if (i < 0) return message;
  const zh = message.slice(0, i);
  const en = message.slice(i + 3);
  // the English half starts in English (it may quote a Chinese title further on)
  if (!CJK.test(zh) || !/^[A-Za-z]/.test(en)) return message;
  return lang === 'zh' ? zh : en;
}

/** The message to show: explained when we know it (original kept in brackets), else in the UI's language. */
export function readableError(message: string, lang: 'zh' | 'en'): string {
  const known = explainNetworkError(message);
  if (!known) return inLanguage(message, lang);
  return `${lang === 'zh' ? known.zh : known.en}（${message.slice(0, 160)}）`;
}
