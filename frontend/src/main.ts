import { createApp } from 'vue'
import { provideGlobalConfig } from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
// Components come on demand (elementPlusOnDemand in vite.config.ts); the services called from
// scripts (ElMessage, ElMessageBox) need their CSS here.
import 'element-plus/es/components/base/style/css'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
// The palette (4.5:1) and rem sizes, over Element Plus' variables: one file, imported once.
import './theme.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { setApiHandlers } from './api/client'
import { clearSession, loadMe } from './auth/session'
import { installFieldErrorAria } from './utils/fieldErrorAria'
import { registerServiceWorkerAfterSignIn } from './features/offline/register'

setApiHandlers({
  unauthorized(reason) {
    clearSession()
    if (router.currentRoute.value.name !== 'login') {
      const redirect = router.currentRoute.value.fullPath
      const query: Record<string, string> = redirect !== '/' ? { redirect } : {}
      if (reason) query.reason = reason
      void router.replace({ name: 'login', query })
    }
  },
  passwordChangeRequired() {
    // The session's me is stale (it predates the reset): reload it, then the guard keeps the
    // user on 账号安全 until the password is changed.
    void loadMe(true).finally(() => {
      if (router.currentRoute.value.name !== 'account') void router.replace({ name: 'account' })
    })
  },
})

const app = createApp(App)
// What app.use(ElementPlus, { locale }) did besides registering every component: zh-CN for all.
provideGlobalConfig({ locale: zhCn }, app, true)
app.use(router).mount('#app')
// Dialogs are teleported to <body>, so the whole body is watched.
installFieldErrorAria(document.body)
// Offline proxy intake on a phone (src/features/offline): production builds only.
if (import.meta.env.PROD) registerServiceWorkerAfterSignIn(router)
