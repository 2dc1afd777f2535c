// Entry point of the Zhiyuan web console.
import { createApp } from 'vue'
import App from './App.vue'
import { i18n } from './i18n.js'
import { router } from './router.js'
import { session } from './session.js'
import { onUnauthorized } from './api.js'
import './styles.css'

// A 401 on an authenticated call means the session has ended.
onUnauthorized(() => {
  if (!session.isLoggedIn.value) return
  session.clear()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    router.replace({ name: 'login', query: { redirect: current.fullPath } })
  }
})

createApp(App).use(i18n).use(router).mount('#app')
