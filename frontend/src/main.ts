import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { setApiHandlers } from './api/client'
import { clearSession, loadMe } from './auth/session'
import { installFieldErrorAria } from './utils/fieldErrorAria'

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

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app')
// Dialogs are teleported to <body>, so the whole body is watched.
installFieldErrorAria(document.body)
