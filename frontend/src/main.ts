import { createApp } from 'vue'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { setApiHandlers } from './api/client'
import { clearSession } from './auth/session'

setApiHandlers({
  unauthorized() {
    clearSession()
    if (router.currentRoute.value.name !== 'login') {
      const redirect = router.currentRoute.value.fullPath
      void router.replace({ name: 'login', query: redirect !== '/' ? { redirect } : {} })
    }
  },
})

createApp(App).use(ElementPlus, { locale: zhCn }).use(router).mount('#app')
